import { Construct, IConstruct } from 'constructs';

/** A child that holds a value and creates nothing. */
class StateHolder<T> extends Construct {
  constructor(scope: IConstruct, id: string, public readonly value: T) {
    super(scope as Construct, id);
  }
}

/**
 * State that several constructs share, kept in the construct tree under `scope` instead of in
 * a module variable, so two apps (or two tests) in one process never see each other's state.
 * The first call creates it with `init`; later calls with the same scope and id get the same value.
 */
export function stateOf<T>(scope: IConstruct, id: string, init: () => T): T {
  const existing = scope.node.tryFindChild(id);
  if (existing instanceof StateHolder) return existing.value as T;
  return new StateHolder(scope, id, init()).value;
}
