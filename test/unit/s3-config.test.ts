// The file storage settings (XQUEUE_FILE_STORAGE, XQUEUE_S3_*): defaults, the typed
// `files` section, and a ConfigError naming the key for every bad value or combination.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRawConfig, parseConfig, type Config } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';

const dataDir = mkdtempSync(join(tmpdir(), 'xqueue-s3-config-'));
// The generated secrets are given, so nothing is written to the data dir.
const SECRETS = { XQUEUE_SECRET_KEY: 'test-secret', XQUEUE_AUTH_PASSWORD: 'password', XQUEUE_MYSQL_PASSWORD: 'password' };
const S3 = { XQUEUE_FILE_STORAGE: 's3', XQUEUE_S3_BUCKET: 'grader-files' };

const configWith = (env: Record<string, string>): Config => parseConfig(loadRawConfig({ ...SECRETS, ...env }, dataDir), dataDir);

function rejection(env: Record<string, string>): ConfigError {
  try {
    configWith(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe('file storage settings', () => {
  it('default to local disk, with no S3 section', () => {
    expect(configWith({}).files).toEqual({ storage: 'disk' });
  });

  it('ignore the S3 keys when storage is disk', () => {
    expect(configWith({ XQUEUE_S3_LINKS: 'nonsense', XQUEUE_S3_ENDPOINT: 'not a url' }).files).toEqual({ storage: 'disk' });
  });

  it('give S3 the documented defaults: prefix xqueue, us-east-1, AWS endpoint, default credentials, presigned links', () => {
    const config = configWith(S3);
    expect(config.files).toEqual({
      storage: 's3',
      s3: { bucket: 'grader-files', prefix: 'xqueue', region: 'us-east-1', forcePathStyle: false, links: 'presigned' },
    });
    expect(Object.isFrozen(config.files.s3)).toBe(true);
  });

  it('read every S3 key', () => {
    const config = configWith({
      ...S3,
      XQUEUE_FILE_STORAGE: 'S3',
      XQUEUE_S3_PREFIX: '/uploads/xqueue/',
      XQUEUE_S3_REGION: 'eu-west-3',
      XQUEUE_S3_ENDPOINT: 'http://minio:9000/',
      XQUEUE_S3_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      XQUEUE_S3_SECRET_ACCESS_KEY: 'secret/with+chars',
      XQUEUE_S3_FORCE_PATH_STYLE: 'true',
      XQUEUE_S3_LINKS: 'proxied',
    });
    expect(config.files.s3).toEqual({
      bucket: 'grader-files',
      prefix: 'uploads/xqueue',
      region: 'eu-west-3',
      endpoint: 'http://minio:9000',
      credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret/with+chars' },
      forcePathStyle: true,
      links: 'proxied',
    });
  });

  it('allow an empty prefix: objects at the bucket root', () => {
    expect(configWith({ ...S3, XQUEUE_S3_PREFIX: '' }).files.s3?.prefix).toBe('');
  });

  it('refuse s3 without a bucket, naming XQUEUE_S3_BUCKET', () => {
    expect(rejection({ XQUEUE_FILE_STORAGE: 's3' }).key).toBe('XQUEUE_S3_BUCKET');
    expect(rejection({ ...S3, XQUEUE_S3_BUCKET: 'a/b' }).key).toBe('XQUEUE_S3_BUCKET');
  });

  it('refuse an unknown storage kind or link kind', () => {
    expect(rejection({ XQUEUE_FILE_STORAGE: 'gcs' }).key).toBe('XQUEUE_FILE_STORAGE');
    expect(rejection({ ...S3, XQUEUE_S3_LINKS: 'public' }).key).toBe('XQUEUE_S3_LINKS');
  });

  it('refuse an endpoint that is not an absolute http(s) URL, and a bad path-style flag', () => {
    expect(rejection({ ...S3, XQUEUE_S3_ENDPOINT: 'minio:9000' }).key).toBe('XQUEUE_S3_ENDPOINT');
    expect(rejection({ ...S3, XQUEUE_S3_FORCE_PATH_STYLE: 'maybe' }).key).toBe('XQUEUE_S3_FORCE_PATH_STYLE');
  });

  it('refuse half a key pair, naming the missing half', () => {
    expect(rejection({ ...S3, XQUEUE_S3_ACCESS_KEY_ID: 'AKIAEXAMPLE' }).key).toBe('XQUEUE_S3_SECRET_ACCESS_KEY');
    expect(rejection({ ...S3, XQUEUE_S3_SECRET_ACCESS_KEY: 'secret' }).key).toBe('XQUEUE_S3_ACCESS_KEY_ID');
  });

  it('cap the link life at 7 days (604800 s), the longest a presigned link may live', () => {
    expect(configWith({ ...S3, XQUEUE_FILE_LINK_TTL: '604800' }).fileLinkTtlS).toBe(604800);
    const err = rejection({ ...S3, XQUEUE_FILE_LINK_TTL: '604801' });
    expect(err.key).toBe('XQUEUE_FILE_LINK_TTL');
    expect(err.message).toContain('604801');
  });

  it('mark the secret access key as a secret in the settings table', async () => {
    const { KEYS } = await import('../../src/config-keys.js');
    expect(KEYS.XQUEUE_S3_SECRET_ACCESS_KEY).toMatchObject({ secret: true });
    expect(KEYS.XQUEUE_FILE_STORAGE.default).toBe('disk');
    expect(KEYS.XQUEUE_S3_LINKS.default).toBe('presigned');
  });
});
