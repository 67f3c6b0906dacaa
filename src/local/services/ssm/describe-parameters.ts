/**
 * SSM DescribeParameters: the metadata (never the values) of the account's own parameters, filtered and
 * paged as Parameter Store does. What `aws ssm describe-parameters` calls to list what exists, e.g. to
 * check that a teardown removed every parameter. Public `/aws/service/...` parameters are not listed
 * (AWS lists only the account's parameters here). Filters per the SSM API reference:
 * `ParameterFilters` keys `Name` (Equals | BeginsWith | Contains), `Type` and `DataType` (Equals), `Path`
 * (Recursive | OneLevel); the legacy `Filters` keys `Name` (prefix, like BeginsWith) and `Type`.
 */
import type {
  DescribeParametersCommandInput,
  DescribeParametersCommandOutput,
  ParameterMetadata,
  ParameterStringFilter,
  ParametersFilter,
} from '@aws-sdk/client-ssm';
import type { CallContext } from '../../contracts.ts';
import type { Out } from '../shared/ops.ts';
import { decodeToken, encodeToken, page } from '../shared/paging.ts';
import { ssmErrors } from './errors.ts';
import { type ParameterRecord, ssmState } from './model.ts';

type Predicate = (p: ParameterRecord) => boolean;

const MAX_RESULTS = 50;

function stringFilter(filter: ParameterStringFilter): Predicate {
  const values = filter.Values ?? [];
  const option = filter.Option ?? 'Equals';
  switch (filter.Key) {
    case 'Name': {
      // Names compare without the leading slash: `/a` and `a` are the same parameter path.
      const norm = (n: string) => n.replace(/^\//, '');
      if (option === 'Equals') return (p) => values.some((v) => norm(p.name) === norm(v));
      if (option === 'BeginsWith') return (p) => values.some((v) => norm(p.name).startsWith(norm(v)));
      if (option === 'Contains') return (p) => values.some((v) => p.name.includes(v));
      break;
    }
    case 'Type':
      if (option === 'Equals') return (p) => values.includes(p.type);
      break;
    case 'DataType':
      if (option === 'Equals') return (p) => values.includes(p.dataType);
      break;
    case 'Path': {
      if (option !== 'Recursive' && option !== 'OneLevel') break;
      return (p) =>
        values.some((v) => {
          const prefix = v.endsWith('/') ? v : `${v}/`;
          if (!p.name.startsWith(prefix)) return false;
          return option === 'Recursive' || !p.name.slice(prefix.length).includes('/');
        });
    }
    default:
      throw ssmErrors.invalidFilterKey(filter.Key ?? '');
  }
  throw ssmErrors.invalidFilterOption(filter.Key ?? '', option);
}

function legacyFilter(filter: ParametersFilter): Predicate {
  const values = filter.Values ?? [];
  if (filter.Key === 'Name') return (p) => values.some((v) => p.name.startsWith(v));
  if (filter.Key === 'Type') return (p) => values.includes(p.type);
  throw ssmErrors.invalidFilterKey(filter.Key ?? '');
}

function metadata(p: ParameterRecord, arn: string): ParameterMetadata {
  return {
    Name: p.name,
    ARN: arn,
    Type: p.type,
    ...(p.keyId === undefined ? {} : { KeyId: p.keyId }),
    LastModifiedDate: new Date(p.lastModified),
    LastModifiedUser: p.lastModifiedUser,
    ...(p.description === undefined ? {} : { Description: p.description }),
    ...(p.allowedPattern === undefined ? {} : { AllowedPattern: p.allowedPattern }),
    Version: p.version,
    Tier:
      p.tier === 'Advanced'
        ? 'Advanced'
        : p.tier === 'Intelligent-Tiering'
          ? 'Intelligent-Tiering'
          : 'Standard',
    Policies: [],
    DataType: p.dataType,
  };
}

export function describeParameters(
  input: DescribeParametersCommandInput,
  { cloud }: CallContext,
): Out<DescribeParametersCommandOutput> {
  if (input.Filters !== undefined && input.ParameterFilters !== undefined) {
    throw ssmErrors.validation('You can use either Filters or ParameterFilters in a single request.');
  }
  const max = input.MaxResults ?? MAX_RESULTS;
  if (!Number.isInteger(max) || max < 1 || max > MAX_RESULTS) {
    throw ssmErrors.validation(
      `1 validation error detected: Value '${max}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to ${MAX_RESULTS}`,
    );
  }
  const predicates = [
    ...(input.ParameterFilters ?? []).map(stringFilter),
    ...(input.Filters ?? []).map(legacyFilter),
  ];
  const all = Object.values(ssmState(cloud).parameters)
    .filter((p) => predicates.every((keep) => keep(p)))
    .sort((a, b) => a.name.localeCompare(b.name));
  const offset = decodeToken('DescribeParameters', input.NextToken);
  if (offset === undefined) throw ssmErrors.invalidNextToken();
  const { items, next } = page(all, offset, max);
  const { region, accountId } = cloud.config;
  return {
    Parameters: items.map((p) =>
      metadata(p, `arn:aws:ssm:${region}:${accountId}:parameter/${p.name.replace(/^\//, '')}`),
    ),
    ...(next === undefined ? {} : { NextToken: encodeToken('DescribeParameters', next) }),
  };
}
