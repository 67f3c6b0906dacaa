/**
 * The Regions one local cloud serves, each with its own zones, as AWS's regional endpoints do: a request is
 * served in the Region of its SigV4 credential scope (`AKID/date/<region>/<service>/aws4_request`). IAM and
 * STS are global per account and answer in any Region. The zone letters are AWS's own for accounts that
 * have every default zone (EC2 User Guide, "Regions and Zones"); opt-in zones are left out.
 */
export const REGION_ZONES: Readonly<Record<string, readonly string[]>> = {
  'us-east-1': ['a', 'b', 'c', 'd', 'e', 'f'],
  'us-east-2': ['a', 'b', 'c'],
  'us-west-2': ['a', 'b', 'c', 'd'],
  'eu-west-1': ['a', 'b', 'c'],
  'eu-central-1': ['a', 'b', 'c'],
};

export const SERVED_REGIONS: readonly string[] = Object.keys(REGION_ZONES);

export const isServedRegion = (region: string): boolean => Object.hasOwn(REGION_ZONES, region);

/** The zone names of a served Region, e.g. `us-west-2a`…`us-west-2d`. */
export function zonesOf(region: string): readonly string[] {
  return (REGION_ZONES[region] ?? []).map((letter) => `${region}${letter}`);
}
