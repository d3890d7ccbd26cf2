/*
 * What the ActiveGate token handler's create and delete share: the token list, the exact form of
 * a token ID, and the words that tell a user how to delete a token by hand.
 */
import type { DynatraceApi } from '../dynatrace-api';

export const TOKENS = '/api/v2/activeGateTokens';
/** Dynatrace's page size floor; the token list is followed to its end. */
const PAGE_SIZE = 100;
/**
 * An ActiveGate token's identifier: the part of the token before its last dot. An ID from
 * Dynatrace (a POST's answer, the list) is checked against it before any call is made with it.
 */
export const TOKEN_ID = /^dt0g\d\d\.[A-Za-z0-9]+$/;

export interface ListedToken {
  readonly id: string;
  readonly name: string;
  readonly expirationDate?: string;
}

/**
 * Every token of the environment, following `nextPageKey` (alone, as Dynatrace requires) to the
 * end. Entries whose ID is not of a token ID's form are left out: no call is made with them.
 */
export async function listTokens(api: DynatraceApi): Promise<ListedToken[]> {
  const tokens: ListedToken[] = [];
  const keys = new Set<string>();
  let query = `?pageSize=${PAGE_SIZE}`;
  for (;;) {
    const res = await api.call('GET', `${TOKENS}${query}`, { expectJson: true });
    const page = res.json.activeGateTokens;
    if (!Array.isArray(page)) {
      throw new Error(`GET ${TOKENS} answered ${res.summary} without an "activeGateTokens" list`);
    }
    for (const t of page) {
      if (typeof t?.id !== 'string' || !TOKEN_ID.test(t.id)) continue;
      tokens.push({ id: t.id, name: String(t.name ?? ''), expirationDate: typeof t.expirationDate === 'string' ? t.expirationDate : undefined });
    }
    const next = res.json.nextPageKey;
    if (typeof next !== 'string' || next.length === 0) return tokens;
    if (keys.has(next)) throw new Error(`GET ${TOKENS} gave the same nextPageKey twice after ${tokens.length} tokens: the list does not end`);
    keys.add(next);
    query = `?nextPageKey=${encodeURIComponent(next)}`;
  }
}

export function tokenPath(id: string): string {
  return `${TOKENS}/${encodeURIComponent(id)}`;
}

export function byHand(ids: readonly string[]): string {
  return `delete ${ids.length > 1 ? 'them' : 'it'} by hand on the Access tokens page (ActiveGate tokens) or with ` +
    `${ids.map((id) => `DELETE ${TOKENS}/${id}`).join(', ')} and a token with the scope activeGateTokenManagement.write`;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * After a new token could not be stored: deletes it again, so that no token is left whose value
 * nobody can read, and says what became of it (`ifDeleteFails` ends the sentence when it stays).
 */
export async function deleteUnstored(api: DynatraceApi, id: string, ifDeleteFails: string): Promise<string> {
  try {
    await api.call('DELETE', tokenPath(id), { accept: [404] });
    return `the token ${id} was deleted again`;
  } catch (deleteError) {
    return `deleting the token ${id} failed too (${messageOf(deleteError)})${ifDeleteFails}`;
  }
}
