import type { LifecycleBlock } from '../lifecycle/lifecycle';

const PROBE = ['ec2:DescribeVpcEndpoints', 'ec2:DescribeNetworkInterfaces', 'lambda:InvokeFunction', 'cloudwatch:PutMetricData'];

/**
 * The deploy-time check: reads and probes only, so a Delete has nothing to undo. A failed
 * check is data (SUCCESS with `Ok` "false") unless `failDeployment` is on.
 */
export const PRIVATELINK_PROBE_LIFECYCLE: LifecycleBlock = {
  resource: 'Custom::PrivateLinkProbe',
  construct: 'PrivateLinkProbe',
  rows: [
    {
      event: 'create',
      calls: PROBE,
      status: 'SUCCESS',
      told: 'physical ID `privatelink-probe:{hostname}:{port}`; attributes `Ok` ("true"), `Diagnosis` (one line per VPC), `Results` (JSON)',
    },
    { event: 'create delivered twice', calls: PROBE, status: 'SUCCESS', told: 'probes again: the same physical ID and the same `Ok` and `Diagnosis`' },
    { event: 'update that changes nothing', calls: PROBE, status: 'SUCCESS', told: 'probes again: the same physical ID' },
    {
      event: 'update that changes something',
      calls: PROBE,
      status: 'SUCCESS',
      told: 'probes again with the new settings (VPCs, endpoint, certificate name): the same physical ID',
    },
    {
      event: 'replacement',
      calls: PROBE,
      status: 'SUCCESS',
      told: 'a new hostname or port gives a new physical ID; CloudFormation then deletes the old one, which calls nothing',
    },
    { event: 'delete', calls: [], status: 'SUCCESS', told: 'nothing to undo, no call' },
    { event: 'delete delivered twice', calls: [], status: 'SUCCESS', told: 'the same, twice' },
    { event: 'delete with a revoked token', calls: [], status: 'SUCCESS', told: 'no token; with the runner\'s permissions revoked, still no call' },
    { event: 'vendor down during delete', calls: [], status: 'SUCCESS', told: 'no call, so the vendor, EC2 or the probe functions being down does not matter' },
    {
      event: 'vendor never answering',
      calls: ['ec2:DescribeVpcEndpoints', 'lambda:InvokeFunction', 'cloudwatch:PutMetricData'],
      status: 'SUCCESS',
      told: 'the endpoint lookup is abandoned after its timeout and the VPCs are probed without it: `Ok` "false", the ' +
        '`Diagnosis` says why (FAILED with `failDeployment`); a probe that never answers is abandoned the same way, and ' +
        'at the deadline the work is cancelled and the answer is FAILED, before the Lambda timeout',
    },
  ],
};
