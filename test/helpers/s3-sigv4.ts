// An independent check of a SigV4 presigned S3 GET (s3rver does not verify signatures):
// recomputes the signature from the URL and the secret, per AWS's published algorithm.
import { createHash, createHmac } from 'node:crypto';

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
const hex = (data: string) => createHash('sha256').update(data).digest('hex');
/** RFC 3986 encoding, as SigV4 canonicalises query names and values. */
const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export function presignedSignatureValid(link: string, secretAccessKey: string): boolean {
  const url = new URL(link);
  const q = url.searchParams;
  const [date, region, service] = (q.get('X-Amz-Credential') ?? '').split('/').slice(1, 4);
  if (q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256' || q.get('X-Amz-SignedHeaders') !== 'host' || !date || !region || !service) return false;
  const query = [...q]
    .filter(([k]) => k !== 'X-Amz-Signature')
    .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
    .sort()
    .join('&');
  const canonical = ['GET', url.pathname, query, `host:${url.host}\n`, 'host', 'UNSIGNED-PAYLOAD'].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', q.get('X-Amz-Date'), scope, hex(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), 'aws4_request');
  return hmac(key, toSign).toString('hex') === q.get('X-Amz-Signature');
}
