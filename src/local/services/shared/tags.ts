/** Tag lists shared by EC2, ELBv2, Auto Scaling and SSM. */
export interface TagRecord {
  Key: string;
  Value: string;
}

/** Values of the generic `tag:<key>` / `tag-key` / `tag-value` filters, or undefined for other names. */
export function tagFilterValues(name: string, tags: readonly TagRecord[]): string[] | undefined {
  if (name.startsWith('tag:')) {
    const key = name.slice(4);
    return tags.filter((t) => t.Key === key).map((t) => t.Value);
  }
  if (name === 'tag-key') return tags.map((t) => t.Key);
  if (name === 'tag-value') return tags.map((t) => t.Value);
  return undefined;
}

/** Sets or overwrites tags by key, keeping order (CreateTags / AddTags semantics). */
export function upsertTags(existing: TagRecord[], added: readonly TagRecord[]): TagRecord[] {
  const out = existing.map((t) => ({ ...t }));
  for (const tag of added) {
    const found = out.find((t) => t.Key === tag.Key);
    if (found) found.Value = tag.Value;
    else out.push({ Key: tag.Key, Value: tag.Value });
  }
  return out;
}
