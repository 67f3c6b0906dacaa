import items from './recommendations.json' with { type: 'json' };

/** One recommendation in DynamoDB attribute-value form: the table's key is (MediaType, ItemId). */
export interface RecommendationItem {
  readonly MediaType: { readonly S: 'Book' | 'Movie' | 'Song' };
  readonly ItemId: { readonly N: string };
  readonly Title: { readonly S: string };
  readonly Creator: { readonly S: string };
}

function isRecommendation(value: unknown): value is RecommendationItem {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, { S?: unknown; N?: unknown } | undefined>;
  return (
    ['Book', 'Movie', 'Song'].includes(String(v['MediaType']?.S)) &&
    typeof v['ItemId']?.N === 'string' &&
    typeof v['Title']?.S === 'string' &&
    typeof v['Creator']?.S === 'string'
  );
}

/** The nine items the seed loads into the table (three per media type, ItemId 1-3). */
export const RECOMMENDATIONS: readonly RecommendationItem[] = items.filter(isRecommendation);
if (RECOMMENDATIONS.length !== items.length)
  throw new Error('resources/recommendations.json has a malformed item');

/** Key schema of the recommendations table, as the seed creates it. */
export const RECOMMENDATIONS_KEY_SCHEMA = [
  { AttributeName: 'MediaType', KeyType: 'HASH' },
  { AttributeName: 'ItemId', KeyType: 'RANGE' },
] as const;

export const RECOMMENDATIONS_ATTRIBUTE_DEFINITIONS = [
  { AttributeName: 'MediaType', AttributeType: 'S' },
  { AttributeName: 'ItemId', AttributeType: 'N' },
] as const;
