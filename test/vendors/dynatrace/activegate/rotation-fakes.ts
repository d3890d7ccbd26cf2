/*
 * A typed fake of the Secrets Manager calls a rotation makes, staging versions as Secrets Manager
 * does (AWSCURRENT, AWSPENDING, AWSPREVIOUS), and a recorder of the published metric.
 */
import { sdkError } from './activegate-token-harness';
import type { ExpiryMetrics, RotationSecrets } from '../../../../src/vendors/dynatrace/activegate/token-rotation';

interface Version {
  value?: string;
  stages: string[];
}

export class StagingSecret implements RotationSecrets {
  public readonly byVersion = new Map<string, Version>();
  /** Makes a call fail once: the next putPending or promote throws this. */
  public failNext?: { call: 'putPending' | 'promote'; error: Error };

  constructor(public readonly arn: string, initial: string) {
    this.byVersion.set('v-initial', { value: initial, stages: ['AWSCURRENT'] });
  }

  /** What RotateSecret does before it calls createSecret: a version with AWSPENDING and no value yet. */
  public startRotation(versionId: string): void {
    for (const v of this.byVersion.values()) v.stages = v.stages.filter((s) => s !== 'AWSPENDING');
    const existing = this.byVersion.get(versionId);
    if (existing) existing.stages.push('AWSPENDING');
    else this.byVersion.set(versionId, { stages: ['AWSPENDING'] });
  }

  /** The value of the version with a stage. */
  public at(stage: string): string | undefined {
    return [...this.byVersion.values()].find((v) => v.stages.includes(stage))?.value;
  }

  public async versions(secretId: string): Promise<Record<string, string[]>> {
    this.check(secretId);
    return Object.fromEntries([...this.byVersion.entries()].filter(([, v]) => v.stages.length > 0).map(([k, v]) => [k, [...v.stages]]));
  }

  public async value(secretId: string, select: { versionId?: string; stage?: string }): Promise<string | undefined> {
    this.check(secretId);
    const match = [...this.byVersion.entries()].find(([id, v]) =>
      (select.versionId === undefined || id === select.versionId) && (select.stage === undefined || v.stages.includes(select.stage)));
    if (!match || match[1].value === undefined) {
      throw sdkError('ResourceNotFoundException', 'Secrets Manager can\'t find the specified secret value for VersionId or VersionStage');
    }
    return match[1].value;
  }

  public async putPending(secretId: string, versionId: string, value: string): Promise<void> {
    this.check(secretId);
    this.maybeFail('putPending');
    const existing = this.byVersion.get(versionId);
    if (existing?.value !== undefined) {
      if (existing.value !== value) throw sdkError('ResourceExistsException', 'A resource with the ID you requested already exists.');
      return;
    }
    for (const v of this.byVersion.values()) v.stages = v.stages.filter((s) => s !== 'AWSPENDING');
    this.byVersion.set(versionId, { value, stages: ['AWSPENDING'] });
  }

  public async promote(secretId: string, versionId: string, fromVersionId: string | undefined): Promise<void> {
    this.check(secretId);
    this.maybeFail('promote');
    const from = fromVersionId ? this.byVersion.get(fromVersionId) : undefined;
    if (fromVersionId && !from?.stages.includes('AWSCURRENT')) {
      throw sdkError('InvalidParameterException', `The staging label AWSCURRENT is not attached to version ${fromVersionId}`);
    }
    for (const v of this.byVersion.values()) v.stages = v.stages.filter((s) => s !== 'AWSPREVIOUS');
    if (from) from.stages = [...from.stages.filter((s) => s !== 'AWSCURRENT'), 'AWSPREVIOUS'];
    // Secrets Manager leaves AWSPENDING on the promoted version; the next rotation moves it.
    this.byVersion.get(versionId)!.stages.push('AWSCURRENT');
  }

  private check(secretId: string): void {
    if (secretId !== this.arn) throw sdkError('ResourceNotFoundException', 'Secrets Manager can\'t find the specified secret.');
  }

  private maybeFail(call: 'putPending' | 'promote'): void {
    if (this.failNext?.call !== call) return;
    const error = this.failNext.error;
    this.failNext = undefined;
    throw error;
  }
}

export class RecordedMetrics implements ExpiryMetrics {
  public readonly published: { secret: string; days: number }[] = [];

  public async putDaysToExpiry(secret: string, days: number): Promise<void> {
    this.published.push({ secret, days });
  }
}
