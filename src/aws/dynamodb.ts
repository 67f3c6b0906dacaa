import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  type TableDescription,
  type Tag,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { type CallOptions, code, isAwsError, orAbsent, outcome, sendOptions } from './errors.ts';
import { type Created, created, existing } from './result.ts';

export type AttributeItem = NonNullable<WriteRequest['PutRequest']>['Item'];

/** @see https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB.html */
export interface DynamoDb {
  /**
   * The seed's schema: MediaType (S, hash) + ItemId (N, range), on-demand. A table of that name already
   * there (ResourceInUseException) is returned as DescribeTable sees it, `created: false`.
   */
  createTable(
    input: { name: string; tags: Tag[] },
    options?: CallOptions,
  ): Promise<Created<TableDescription>>;
  describeTable(name: string, options?: CallOptions): Promise<TableDescription | undefined>;
  /** `'in-use'`: the table is still being created or updated (ResourceInUseException). */
  deleteTable(name: string, options?: CallOptions): Promise<'deleted' | 'not-found' | 'in-use'>;
  /**
   * Writes items in batches of 25 (the BatchWriteItem limit). Returns the items still unprocessed
   * after `attempts` rounds, so the caller decides whether that is a failure.
   */
  putItems(
    name: string,
    items: AttributeItem[],
    options?: CallOptions & { attempts?: number },
  ): Promise<number>;
}

export function createDynamoDb(client: DynamoDBClient): DynamoDb {
  const describeTable = (name: string, options?: CallOptions) =>
    orAbsent(
      async () =>
        (await client.send(new DescribeTableCommand({ TableName: name }), sendOptions(options))).Table,
      code('ResourceNotFoundException'),
    );
  return {
    async createTable({ name, tags }, options) {
      try {
        const out = await client.send(
          new CreateTableCommand({
            TableName: name,
            AttributeDefinitions: [
              { AttributeName: 'MediaType', AttributeType: 'S' },
              { AttributeName: 'ItemId', AttributeType: 'N' },
            ],
            KeySchema: [
              { AttributeName: 'MediaType', KeyType: 'HASH' },
              { AttributeName: 'ItemId', KeyType: 'RANGE' },
            ],
            BillingMode: 'PAY_PER_REQUEST',
            ...(tags.length > 0 ? { Tags: tags } : {}),
          }),
          sendOptions(options),
        );
        return created(out.TableDescription ?? { TableName: name });
      } catch (error: unknown) {
        // "Table already exists" is a ResourceInUseException on CreateTable.
        if (!isAwsError(error, 'ResourceInUseException', 'ResourceInUse')) throw error;
      }
      const table = await describeTable(name, options);
      if (table === undefined) throw new Error(`table ${name} exists but cannot be described`);
      return existing(table);
    },
    describeTable,
    deleteTable: (name, options) =>
      outcome(
        () => client.send(new DeleteTableCommand({ TableName: name }), sendOptions(options)),
        'deleted',
        ['not-found', code('ResourceNotFoundException')],
        ['in-use', code('ResourceInUseException')],
      ),
    async putItems(name, items, options) {
      let pending: WriteRequest[] = items.map((Item) => ({ PutRequest: { Item } }));
      for (let round = 0; round < (options?.attempts ?? 5) && pending.length > 0; round++) {
        const next: WriteRequest[] = [];
        for (let i = 0; i < pending.length; i += 25) {
          const out = await client.send(
            new BatchWriteItemCommand({ RequestItems: { [name]: pending.slice(i, i + 25) } }),
            sendOptions(options),
          );
          next.push(...(out.UnprocessedItems?.[name] ?? []));
        }
        pending = next;
      }
      return pending.length;
    },
  };
}
