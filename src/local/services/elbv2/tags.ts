/** ELBv2 tagging over load balancers, target groups and listeners (AddTags / RemoveTags / DescribeTags). */
import type {
  AddTagsCommandInput,
  AddTagsCommandOutput,
  DescribeTagsCommandInput,
  DescribeTagsCommandOutput,
  RemoveTagsCommandInput,
  RemoveTagsCommandOutput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { CallContext, Cloud } from '../../contracts.ts';
import type { Out } from '../shared/ops.ts';
import { type TagRecord, upsertTags } from '../shared/tags.ts';
import { elbErrors } from './errors.ts';
import { elbv2State } from './model.ts';

function holder(cloud: Cloud, arn: string): { tags: TagRecord[] } {
  const state = elbv2State(cloud);
  const found =
    state.loadBalancers.find((r) => r.arn === arn) ??
    state.targetGroups.find((r) => r.arn === arn) ??
    state.listeners.find((r) => r.arn === arn);
  if (found) return found;
  if (arn.includes(':targetgroup/')) throw elbErrors.targetGroupNotFound();
  if (arn.includes(':listener/')) throw elbErrors.listenerNotFound();
  throw elbErrors.loadBalancerNotFound();
}

export function addTags(input: AddTagsCommandInput, { cloud }: CallContext): Out<AddTagsCommandOutput> {
  const holders = (input.ResourceArns ?? []).map((arn) => holder(cloud, arn));
  const tags = (input.Tags ?? []).map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' }));
  const duplicate = tags.find((t, i) => tags.findIndex((u) => u.Key === t.Key) !== i);
  if (duplicate !== undefined) throw elbErrors.duplicateTagKeys(duplicate.Key);
  for (const h of holders) {
    const merged = upsertTags(h.tags, tags);
    if (merged.length > 50) throw elbErrors.tooManyTags();
    h.tags = merged;
  }
  cloud.commit();
  return {};
}

export function removeTags(
  input: RemoveTagsCommandInput,
  { cloud }: CallContext,
): Out<RemoveTagsCommandOutput> {
  const holders = (input.ResourceArns ?? []).map((arn) => holder(cloud, arn));
  const keys = input.TagKeys ?? [];
  for (const h of holders) h.tags = h.tags.filter((t) => !keys.includes(t.Key));
  cloud.commit();
  return {};
}

export function describeTags(
  input: DescribeTagsCommandInput,
  { cloud }: CallContext,
): Out<DescribeTagsCommandOutput> {
  return {
    TagDescriptions: (input.ResourceArns ?? []).map((arn) => ({
      ResourceArn: arn,
      Tags: holder(cloud, arn).tags,
    })),
  };
}
