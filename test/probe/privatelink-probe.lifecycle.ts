import type { LifecycleBlock } from '../lifecycle/lifecycle';

const PROBE = ['ec2:DescribeVpcEndpoints', 'ec2:DescribeNetworkInterfaces', 'lambda:InvokeFunction', 'cloudwatch:PutMetricData'];

/**
 * The deploy-time check: reads and probes only, so a Delete has nothing to undo. A failed
 * check is data (SUCCESS with `Ok` "false") unless `failDeployment` is on, and even then only
 * during a deploy: in a rollback (read from the stack's status) it answers SUCCESS.
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
    {
      event: 'update rolled back after an in-place update',
      calls: [...PROBE, 'cloudformation:DescribeStacks'],
      status: 'SUCCESS',
      told: 'with `failDeployment` and the vendor down, the deploy\'s Update failed; the rollback\'s Update back to the old ' +
        'properties probes again and fails again, reads the stack\'s status (`UPDATE_ROLLBACK_IN_PROGRESS`) and answers ' +
        'SUCCESS: the gate fails a deploy, never a rollback. `Ok` "false", the diagnosis in the Reason and in `Diagnosis`, ' +
        'the same physical ID',
    },
    {
      event: 'update rolled back after a replacement',
      calls: [],
      status: 'SUCCESS',
      told: 'the Delete of the new physical ID (new hostname or port) calls nothing; nothing is sent to the old one, ' +
        'which is current again and needs nothing: the probe changes nothing',
    },
    {
      event: 'create cancelled',
      calls: [],
      status: 'SUCCESS',
      told: 'the create probed and published its metrics; the Delete with a physical ID the handler never gave calls ' +
        'nothing: the probe made nothing that could be left behind',
    },
    {
      event: 'delete when the vendor\'s host does not resolve',
      calls: [],
      status: 'SUCCESS',
      told: 'no call and no DNS lookup: a Delete does not probe',
    },
    {
      event: 'delete when the credential secret is deleted, pending deletion, or its key refuses',
      calls: [],
      status: 'SUCCESS',
      told: 'the probe reads no secret (its properties name none) and deletes nothing: no call',
    },
  ],
};
