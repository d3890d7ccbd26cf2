/*
 * The Delete of the EdgeConnect provisioner. CloudFormation sends a Delete in four situations,
 * and each must leave the target secret holding a client that exists, or none of this resource:
 * - the stack (or the resource) is deleted: the configuration goes, and the secret its placeholder;
 * - the cleanup after a replacement: the old configuration goes; the secret holds the new one's client;
 * - the rollback of a replacement: the NEW configuration goes while the old one is current again.
 *   The secret holds the new client, its previous version the old one: that version is written
 *   back first, when its configuration still exists with that client;
 * - a create it stopped waiting for, with a physical ID it made up: the configuration is found
 *   by the name the create used, and removed when its client is the one the create stored.
 * A vendor side that is gone (host no longer resolves, provisioner client refused, its secret
 * deleted or unreadable) answers SUCCESS naming what is left behind; anything that may pass
 * (5xx, time-outs) fails after the bounded retries, so that a retried delete still cleans up.
 */
import { EdgeConnectApi, isAccessRefused, isEdgeConnectId, messageOf } from './edge-connect-api';
import { storedClient } from './edge-connect-client-secret';
import type { ClientSecretStore, StoredClient } from './edge-connect-client-secret';
import type { CustomResourceResult, WorkContext } from '../../../internal/runtime/custom-resource';
import { whyDeleteCannotAct } from '../../../internal/runtime/delete-leaves';
import { HttpError } from '../../../internal/runtime/http-client';

export interface RemovalSettings {
  readonly name: string;
  readonly targetSecretArn: string;
  /** The secret of the provisioner client: the credential every call needs. */
  readonly provisionerSecretArn: string;
}

export class EdgeConnectRemoval {
  /** The current version of the target secret, once read (undefined when it could not be). */
  private held?: StoredClient;

  constructor(
    private readonly api: EdgeConnectApi,
    private readonly settings: RemovalSettings,
    private readonly secrets: ClientSecretStore,
    private readonly ctx: WorkContext,
  ) {}

  public async remove(physicalId: string): Promise<CustomResourceResult> {
    const issued = isEdgeConnectId(physicalId);
    let id: string | undefined = issued ? physicalId : undefined;
    try {
      this.held = await this.readTarget();
      if (!id) {
        const found = await this.findCancelledCreate(physicalId);
        if (typeof found !== 'string') return found;
        id = found;
      }
      const restored = await this.restorePrevious(id);
      const deleted = await this.api.delete(id);
      const secretNow = restored ?? await this.afterDelete(id);
      const what = deleted ? `deleted EdgeConnect ${id} "${this.settings.name}" and its OAuth client` : `EdgeConnect ${id} "${this.settings.name}" was already gone`;
      return { physicalResourceId: physicalId, reason: `${what}${secretNow ? `; ${secretNow}` : ''}` };
    } catch (error) {
      const refused = isAccessRefused(error) ? `Dynatrace refused the provisioner client (${messageOf(error)})` : undefined;
      const cannot = whyDeleteCannotAct(error);
      // Any Secrets Manager error that gets here is the provisioner secret's: the target secret's are handled where it is read.
      const which = error instanceof HttpError ? '' : ` (${this.settings.provisionerSecretArn})`;
      const why = refused ?? (cannot ? `${cannot}${which}: ${messageOf(error)}` : undefined);
      if (!why) throw error;
      return { physicalResourceId: physicalId, reason: this.leftBehind(id, why) };
    }
  }

  /**
   * A Delete with an ID Dynatrace never issued: CloudFormation stopped waiting for the create,
   * which may have made a configuration. It is this resource's when its client is the one in
   * the target secret (a secret made for this resource alone); any other of that name is kept.
   * @returns the configuration's ID, or the answer when there is nothing of this resource's
   */
  private async findCancelledCreate(physicalId: string): Promise<string | CustomResourceResult> {
    const { name, targetSecretArn } = this.settings;
    const notIssued = `${physicalId} is not an EdgeConnect ID that Dynatrace issued (a create CloudFormation stopped waiting for)`;
    const clientId = this.held?.clientId;
    if (!clientId) {
      return { physicalResourceId: physicalId, reason: `nothing to delete: ${notIssued}, and ${targetSecretArn} holds no OAuth client that it stored` };
    }
    const found = await this.api.findByName(name);
    const ours = found.find((record) => record.oauthClientId === clientId);
    if (!ours) {
      const kept = found.length > 0 ? `; "${name}" (${found.map((r) => r.id).join(', ')}) has another client, so it is not this resource's and is kept` : '';
      return { physicalResourceId: physicalId, reason: `nothing to delete: ${notIssued}, and no configuration named "${name}" has the OAuth client ${clientId} in ${targetSecretArn}${kept}` };
    }
    this.ctx.log(`${notIssued}: found EdgeConnect ${ours.id} "${name}" by its name, with the OAuth client ${clientId} that ${targetSecretArn} holds`);
    return ours.id;
  }

  /**
   * Before the configuration whose client the secret holds is deleted, writes the previous
   * version back when that version's configuration still exists with that client (the rollback
   * of a replacement). Returns what the secret holds then, or undefined when nothing was written.
   */
  private async restorePrevious(id: string): Promise<string | undefined> {
    if (!(await this.holds(id))) return undefined;
    const { targetSecretArn } = this.settings;
    const previous = await this.readPrevious();
    if (!previous?.clientId) return undefined;
    const record = previous.edgeConnectId !== undefined
      ? (isEdgeConnectId(previous.edgeConnectId) ? await this.api.get(previous.edgeConnectId) : undefined)
      : await this.api.findByClientId(previous.clientId);
    if (!record || record.id === id || record.oauthClientId !== previous.clientId) return undefined;
    await this.secrets.putSecretString(targetSecretArn, previous.raw, this.ctx.signal);
    this.ctx.log(`${targetSecretArn} held the client of EdgeConnect ${id}: wrote its previous version back, the client ${previous.clientId} of EdgeConnect ${record.id}`);
    this.held = previous;
    return `${targetSecretArn} holds the client ${previous.clientId} of EdgeConnect ${record.id} again`;
  }

  /**
   * What the secret holds once the configuration is gone. A client of that configuration is
   * replaced by the placeholder it held before, so no one mistakes it for a live client; a
   * previous version with a live client was restored before the delete.
   */
  private async afterDelete(id: string): Promise<string | undefined> {
    if (!(await this.holds(id))) return undefined;
    const { targetSecretArn } = this.settings;
    const previous = await this.readPrevious();
    if (previous?.placeholder) {
      await this.secrets.putSecretString(targetSecretArn, previous.raw, this.ctx.signal);
      return `${targetSecretArn} holds its placeholder again`;
    }
    return `${targetSecretArn} still holds the deleted client ${this.held?.clientId}: it has no earlier version whose client exists`;
  }

  /** Whether the secret's current version holds the client of configuration `id`. */
  private async holds(id: string): Promise<boolean> {
    const held = this.held;
    if (!held?.clientId) return false;
    if (held.edgeConnectId !== undefined) return held.edgeConnectId === id;
    // Written before the configuration's ID was stored with the client: ask Dynatrace.
    return (await this.api.get(id))?.oauthClientId === held.clientId;
  }

  /** The target secret's current version (see readStored). */
  private readTarget(): Promise<StoredClient | undefined> {
    return this.readStored('current');
  }

  /** The target secret's previous version (see readStored). */
  private readPrevious(): Promise<StoredClient | undefined> {
    return this.readStored('previous');
  }

  /**
   * A version of the target secret. One that is gone or unreadable holds nothing this Delete must
   * keep consistent: without the current one the configuration is still deleted, without the
   * previous one nothing is restored. A failure that may pass stops the Delete.
   */
  private async readStored(version: 'current' | 'previous'): Promise<StoredClient | undefined> {
    const { targetSecretArn } = this.settings;
    try {
      const text = version === 'current'
        ? await this.secrets.getSecretString(targetSecretArn, this.ctx.signal)
        : await this.secrets.getPreviousSecretString(targetSecretArn, this.ctx.signal);
      return storedClient(text, this.ctx.redact);
    } catch (error) {
      const why = whyDeleteCannotAct(error);
      if (!why) throw error;
      this.ctx.log(version === 'current'
        ? `could not read ${targetSecretArn} (${why}): deleting the configuration without looking at its client`
        : `could not read the previous version of ${targetSecretArn} (${why}): it is not restored`);
      return undefined;
    }
  }

  /** The reason of a Delete that cannot reach Dynatrace: what is left and how to remove it by hand. */
  private leftBehind(id: string | undefined, why: string): string {
    const { name, targetSecretArn } = this.settings;
    const client = this.held?.clientId ?? `whose ID is in ${targetSecretArn}`;
    const what = id ? `EdgeConnect ${id} "${name}"` : `any EdgeConnect named "${name}" that the cancelled create made`;
    const call = id ? `DELETE ${this.api.itemUrl(id)}` : `DELETE ${this.api.itemUrl('{id}')}`;
    return `${why}, so ${what} and its OAuth client ${client} are left behind. Remove them by hand: delete "${name}" in the ` +
      `EdgeConnect management app (its OAuth client goes with it), or ${call} with a token that has app-engine:edge-connects:delete`;
  }
}
