/**
 * IAM returns policy documents (PolicyDocument, AssumeRolePolicyDocument, PolicyVersion.Document)
 * "URL-encoded compliant with RFC 3986" (IAM API reference, GetRolePolicy and others): every
 * character but the unreserved `A-Z a-z 0-9 - . _ ~` is percent-encoded as UTF-8, so `*` is `%2A`
 * and a space `%20`. encodeURIComponent leaves `! ' ( ) *` alone; those are encoded here too.
 * Use cases pass the JSON text; the output writer encodes every member of the policy document
 * shape. The AWS CLI decodes it for display; JS SDK users call decodeURIComponent, as with AWS.
 */
const SUB_DELIMS = /[!'()*]/g;

export function encodePolicyDocument(text: string): string {
  return encodeURIComponent(text).replace(SUB_DELIMS, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
