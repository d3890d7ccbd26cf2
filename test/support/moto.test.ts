import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { MOTO_CREDENTIALS, startMoto } from './moto';

test('moto starts on 127.0.0.1 and answers EC2 calls', async () => {
  const moto = await startMoto();
  try {
    expect(moto.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const ec2 = new EC2Client({ endpoint: moto.endpoint, region: 'eu-west-1', credentials: MOTO_CREDENTIALS });
    const vpcs = await ec2.send(new DescribeVpcsCommand({}));
    expect(vpcs.Vpcs?.some((v) => v.IsDefault)).toBe(true);
  } finally {
    await moto.stop();
  }
}, 60_000);
