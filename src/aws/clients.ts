/**
 * The three AWS clients, from the config. Credentials come from the SDK's default chain; endpoints
 * can be redirected with AWS_ENDPOINT_URL_S3 / _GLUE / _ATHENA, which the SDK reads itself.
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../types.js';

export interface AwsClients {
  s3: S3Client;
  glue: GlueClient;
  athena: AthenaClient;
}

const USER_AGENT = 'genesys-usage-report-action';

export function createAwsClients(config: Config): AwsClients {
  const region = config.awsRegion;
  return {
    s3: new S3Client({
      region,
      forcePathStyle: config.s3?.forcePathStyle ?? false,
      customUserAgent: USER_AGENT,
    }),
    glue: new GlueClient({ region, customUserAgent: USER_AGENT }),
    athena: new AthenaClient({ region, customUserAgent: USER_AGENT }),
  };
}

export function destroyAwsClients(clients: AwsClients): void {
  clients.s3.destroy();
  clients.glue.destroy();
  clients.athena.destroy();
}
