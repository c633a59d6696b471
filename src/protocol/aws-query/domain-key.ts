/**
 * The one naming rule between the wire and the domain: a model member `UserName` is the domain key
 * `userName` (first character lowercased, nothing else touched: `SSHPublicKeyId` → `sSHPublicKeyId`,
 * STS's lowercase `arn` stays `arn`). Input conversion applies it; output serialization looks domain
 * keys up the same way and writes the model's exact member name.
 */
export function domainKey(memberName: string): string {
  const first = memberName.charAt(0);
  const lower = first.toLowerCase();
  return first === lower ? memberName : lower + memberName.slice(1);
}
