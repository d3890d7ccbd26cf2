import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { addOutputs } from '../../src/internal/outputs';

test('outputs are opt-in, with logical IDs of the construct ID and the output name', () => {
  const stack = new Stack(new App(), 'S');
  addOutputs(new Construct(new Construct(stack, 'Deep'), 'Vendor-1'), true, { EndpointId: { value: 'vpce-1', description: 'd' } });
  addOutputs(new Construct(stack, 'Off'), false, { EndpointId: { value: 'vpce-2', description: 'd' } });
  expect(Template.fromStack(stack).findOutputs('*')).toEqual({ Vendor1EndpointId: { Value: 'vpce-1', Description: 'd' } });
});

test('two constructs with outputs and the same ID in one stack are refused, naming both, and nothing of the second is added', () => {
  const stack = new Stack(new App(), 'S');
  addOutputs(new Construct(new Construct(stack, 'A'), 'Vendor'), true, { EndpointId: { value: 'x', description: 'd' } });
  const second = new Construct(new Construct(stack, 'B'), 'Vendor');
  expect(() => addOutputs(second, true, { Other: { value: 'y', description: 'd' }, EndpointId: { value: 'z', description: 'd' } }))
    .toThrow('`outputs` need construct IDs that are unique in the stack: the output VendorEndpointId of S/B/Vendor is already the output of S/A/Vendor; give one of them another ID');
  expect(second.node.children).toHaveLength(0);
});
