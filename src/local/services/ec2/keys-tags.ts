/**
 * Key pairs and the generic tagging operations (CreateTags/DeleteTags/DescribeTags) over every taggable
 * EC2 resource of the model: instances, launch templates, security groups and key pairs.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import type {
  CreateKeyPairCommandInput,
  CreateKeyPairCommandOutput,
  CreateTagsCommandInput,
  CreateTagsCommandOutput,
  DeleteKeyPairCommandInput,
  DeleteKeyPairCommandOutput,
  DeleteTagsCommandInput,
  DeleteTagsCommandOutput,
  DescribeKeyPairsCommandInput,
  DescribeKeyPairsCommandOutput,
  DescribeTagsCommandInput,
  DescribeTagsCommandOutput,
  TagDescription,
} from '@aws-sdk/client-ec2';
import { AwsServiceError, type CallContext, type Cloud } from '../../contracts.ts';
import { matchesFilters } from '../shared/filters.ts';
import { newId } from '../shared/ids.ts';
import type { Out } from '../shared/ops.ts';
import { type TagRecord, tagFilterValues, upsertTags } from '../shared/tags.ts';
import { ec2Errors } from './errors.ts';
import { ec2State } from './model.ts';

interface Taggable {
  id: string;
  type: string;
  get(): TagRecord[];
  set(tags: TagRecord[]): void;
}

function taggables(cloud: Cloud): Taggable[] {
  const state = ec2State(cloud);
  return [
    ...state.instances.map((r) => ({
      id: r.instanceId,
      type: 'instance',
      get: () => r.tags,
      set: (t: TagRecord[]) => {
        r.tags = t;
      },
    })),
    ...state.launchTemplates.map((r) => ({
      id: r.id,
      type: 'launch-template',
      get: () => r.tags,
      set: (t: TagRecord[]) => {
        r.tags = t;
      },
    })),
    ...state.securityGroups.map((r) => ({
      id: r.groupId,
      type: 'security-group',
      get: () => r.tags,
      set: (t: TagRecord[]) => {
        r.tags = t;
      },
    })),
    ...state.keyPairs.map((r) => ({
      id: r.keyPairId,
      type: 'key-pair',
      get: () => r.tags,
      set: (t: TagRecord[]) => {
        r.tags = t;
      },
    })),
  ];
}

function resolveResources(cloud: Cloud, ids: readonly string[] | undefined): Taggable[] {
  if (!ids?.length) throw ec2Errors.missingParameter('ResourceId');
  const all = taggables(cloud);
  return ids.map((id) => {
    const found = all.find((t) => t.id === id);
    if (found) return found;
    if (id.startsWith('i-')) throw ec2Errors.instanceNotFound([id]);
    throw new AwsServiceError('InvalidID', `The ID '${id}' is not valid`);
  });
}

const normalize = (
  tags: readonly { Key?: string | undefined; Value?: string | undefined }[] | undefined,
): TagRecord[] => (tags ?? []).map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' }));

export function createTags(
  input: CreateTagsCommandInput,
  { cloud }: CallContext,
): Out<CreateTagsCommandOutput> {
  const resources = resolveResources(cloud, input.Resources);
  const tags = normalize(input.Tags);
  for (const tag of tags) {
    if (tag.Key.toLowerCase().startsWith('aws:')) {
      throw ec2Errors.invalidParameterValue(`Tag keys starting with 'aws:' are reserved for internal use`);
    }
  }
  for (const resource of resources) resource.set(upsertTags(resource.get(), tags));
  cloud.commit();
  return {};
}

export function deleteTags(
  input: DeleteTagsCommandInput,
  { cloud }: CallContext,
): Out<DeleteTagsCommandOutput> {
  const resources = resolveResources(cloud, input.Resources);
  const given = input.Tags ?? [];
  for (const resource of resources) {
    // No Tags: delete every tag. A tag with a Value deletes only when the value matches (EC2 API Reference).
    resource.set(
      given.length === 0
        ? resource.get().filter((t) => t.Key.startsWith('aws:'))
        : resource
            .get()
            .filter(
              (t) => !given.some((g) => g.Key === t.Key && (g.Value === undefined || g.Value === t.Value)),
            ),
    );
  }
  cloud.commit();
  return {};
}

export function describeTags(
  input: DescribeTagsCommandInput,
  { cloud }: CallContext,
): Out<DescribeTagsCommandOutput> {
  const out: TagDescription[] = [];
  for (const resource of taggables(cloud)) {
    for (const tag of resource.get()) {
      const ok = matchesFilters(
        input.Filters,
        (name) =>
          ({
            'resource-id': [resource.id],
            'resource-type': [resource.type],
            key: [tag.Key],
            value: [tag.Value],
          })[name] ?? (name.startsWith('tag:') ? tagFilterValues(name, [tag]) : undefined),
        ec2Errors.invalidFilter,
      );
      if (ok)
        out.push({
          ResourceId: resource.id,
          ResourceType: resource.type as TagDescription['ResourceType'],
          Key: tag.Key,
          Value: tag.Value,
        });
    }
  }
  return { Tags: out };
}

export function createKeyPair(
  input: CreateKeyPairCommandInput,
  { cloud }: CallContext,
): Out<CreateKeyPairCommandOutput> {
  const name = input.KeyName;
  if (name === undefined) throw ec2Errors.missingParameter('KeyName');
  const state = ec2State(cloud);
  if (state.keyPairs.some((k) => k.keyName === name)) throw ec2Errors.keyPairDuplicate(name);
  const keyType = input.KeyType ?? 'rsa';
  const { privateKey } =
    keyType === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const der = privateKey.export({ type: 'pkcs8', format: 'der' });
  // AWS-created key pairs are fingerprinted with SHA-1 of the PKCS#8 DER private key.
  const fingerprint = createHash('sha1').update(der).digest('hex').match(/../g)?.join(':') ?? '';
  const material =
    keyType === 'ed25519'
      ? String(privateKey.export({ type: 'pkcs8', format: 'pem' }))
      : String(privateKey.export({ type: 'pkcs1', format: 'pem' }));
  const tags = (input.TagSpecifications ?? [])
    .filter((s) => s.ResourceType === 'key-pair')
    .flatMap((s) => normalize(s.Tags));
  const record = {
    keyPairId: newId('key'),
    keyName: name,
    fingerprint,
    keyType,
    createdAt: cloud.clock.now(),
    tags,
  };
  state.keyPairs.push(record);
  cloud.commit();
  return {
    KeyName: name,
    KeyPairId: record.keyPairId,
    KeyFingerprint: fingerprint,
    KeyMaterial: material,
    ...(tags.length > 0 ? { Tags: tags } : {}),
  };
}

export function deleteKeyPair(
  input: DeleteKeyPairCommandInput,
  { cloud }: CallContext,
): Out<DeleteKeyPairCommandOutput> {
  if (input.KeyName === undefined && input.KeyPairId === undefined)
    throw ec2Errors.missingParameter('KeyName');
  const state = ec2State(cloud);
  const found = state.keyPairs.find((k) => k.keyName === input.KeyName || k.keyPairId === input.KeyPairId);
  // Deleting a key pair that does not exist succeeds, as on EC2.
  if (found) {
    state.keyPairs = state.keyPairs.filter((k) => k !== found);
    cloud.commit();
  }
  return { Return: true, ...(found ? { KeyPairId: found.keyPairId } : {}) };
}

export function describeKeyPairs(
  input: DescribeKeyPairsCommandInput,
  { cloud }: CallContext,
): Out<DescribeKeyPairsCommandOutput> {
  const keys = ec2State(cloud).keyPairs;
  for (const name of input.KeyNames ?? [])
    if (!keys.some((k) => k.keyName === name)) throw ec2Errors.keyPairNotFound(name);
  for (const id of input.KeyPairIds ?? [])
    if (!keys.some((k) => k.keyPairId === id)) throw ec2Errors.keyPairNotFound(id);
  const selected = keys.filter((k) => {
    if (input.KeyNames?.length && !input.KeyNames.includes(k.keyName)) return false;
    if (input.KeyPairIds?.length && !input.KeyPairIds.includes(k.keyPairId)) return false;
    return matchesFilters(
      input.Filters,
      (name) =>
        tagFilterValues(name, k.tags) ??
        { 'key-name': [k.keyName], 'key-pair-id': [k.keyPairId], fingerprint: [k.fingerprint] }[name],
      ec2Errors.invalidFilter,
    );
  });
  return {
    KeyPairs: selected.map((k) => ({
      KeyPairId: k.keyPairId,
      KeyName: k.keyName,
      KeyFingerprint: k.fingerprint,
      KeyType: k.keyType === 'ed25519' ? 'ed25519' : 'rsa',
      CreateTime: new Date(k.createdAt),
      Tags: k.tags,
    })),
  };
}
