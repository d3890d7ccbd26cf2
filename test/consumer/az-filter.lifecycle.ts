import type { LifecycleBlock } from '../lifecycle/lifecycle';

const READS = ['ec2:DescribeVpcEndpointServices', 'ec2:DescribeSubnets'];

/** The AZ filter: reads only, so every write-side row is "nothing to do". */
export const AZ_FILTER_LIFECYCLE: LifecycleBlock = {
  resource: 'Custom::PrivateLinkAzFilter',
  construct: 'PrivateLinkEndpoint (and every preset that creates one)',
  rows: [
    { event: 'create', calls: READS, status: 'SUCCESS', told: 'physical ID `az-filter-{RequestId}`, attribute `SubnetIds` (candidates in supported AZs, the first of each AZ ID), `Summary` naming those left out' },
    { event: 'create delivered twice', calls: READS, status: 'SUCCESS', told: 'the same physical ID (the same RequestId) and the same subnets' },
    { event: 'update that changes nothing', calls: READS, status: 'SUCCESS', told: 'the same physical ID and subnets' },
    { event: 'update that changes something', calls: READS, status: 'SUCCESS', told: 'the same physical ID; `SubnetIds` for the new candidates' },
    {
      event: 'replacement',
      calls: READS,
      status: 'SUCCESS',
      told: 'never: the physical ID stays the Create\'s whatever changes (the answer is data, nothing exists to replace)',
    },
    { event: 'delete', calls: [], status: 'SUCCESS', told: 'nothing to undo, no call' },
    { event: 'delete delivered twice', calls: [], status: 'SUCCESS', told: 'the same, twice' },
    { event: 'delete with a revoked token', calls: [], status: 'SUCCESS', told: 'no token; with the role\'s EC2 permissions gone, still no call' },
    { event: 'vendor down during delete', calls: [], status: 'SUCCESS', told: 'no call, so EC2 being down does not matter' },
    {
      event: 'vendor never answering',
      calls: ['ec2:DescribeVpcEndpointServices'],
      status: 'FAILED',
      told: 'the call is aborted at the deadline; FAILED before the Lambda timeout',
    },
    {
      event: 'update rolled back after an in-place update',
      calls: READS,
      status: 'SUCCESS',
      told: 'the Update back to the old properties filters the old candidates again: the same physical ID and the old `SubnetIds`',
    },
    {
      event: 'update rolled back after a replacement',
      calls: [],
      status: 'SUCCESS',
      told: 'never replaced (the physical ID stays the Create\'s); a Delete of any physical ID calls nothing: the filter made nothing to undo',
    },
    {
      event: 'create cancelled',
      calls: [],
      status: 'SUCCESS',
      told: 'the create only read EC2: the Delete with a physical ID the handler never gave calls nothing, and nothing is left behind',
    },
    {
      event: 'delete when the vendor\'s host does not resolve',
      calls: [],
      status: 'SUCCESS',
      told: 'no vendor host to reach: a Delete calls nothing, not even EC2',
    },
    {
      event: 'delete when the credential secret is deleted, pending deletion, or its key refuses',
      calls: [],
      status: 'SUCCESS',
      told: 'no secret: the filter reads none, and a Delete calls nothing',
    },
  ],
};
