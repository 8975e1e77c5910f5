import type { OAuthConfig } from './config.ts';

/** Refresh this long before the token's stated expiry, so a call never races it. */
const EXPIRY_MARGIN_MS = 30_000;
const DEFAULT_LIFETIME_MS = 5 * 60_000;
const TOKEN_REQUEST_TIMEOUT_MS = 10_000;

export class OAuthError extends Error {
  override readonly name = 'OAuthError';
}

interface CachedToken {
  readonly accessToken: string;
  readonly expiresAtMs: number;
}

/**
 * Fetches OAuth2 client-credentials access tokens from the token URL and caches them
 * until shortly before they expire. Concurrent callers share one in-flight request.
 */
export class OAuthTokenSource {
  readonly #config: OAuthConfig;
  readonly #nowMs: () => number;
  #cached: CachedToken | undefined;
  #inFlight: Promise<CachedToken> | undefined;

  constructor(config: OAuthConfig, nowMs: () => number = Date.now) {
    this.#config = config;
    this.#nowMs = nowMs;
  }

  async token(): Promise<string> {
    const cached = this.#cached;
    if (cached !== undefined && cached.expiresAtMs - EXPIRY_MARGIN_MS > this.#nowMs()) return cached.accessToken;
    this.#inFlight ??= this.#fetch().finally(() => {
      this.#inFlight = undefined;
    });
    const fresh = await this.#inFlight;
    this.#cached = fresh;
    return fresh.accessToken;
  }

  /** Forgets the cached token (e.g. after the server answered UNAUTHENTICATED). */
  invalidate(): void {
    this.#cached = undefined;
  }

  async #fetch(): Promise<CachedToken> {
    const { clientId, clientSecret, accessTokenUrl } = this.#config;
    const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString(
      'base64',
    );
    let res: Response;
    try {
      res = await fetch(accessTokenUrl, {
        method: 'POST',
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams({ grant_type: 'client_credentials' }).toString(),
        signal: AbortSignal.timeout(TOKEN_REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      throw new OAuthError(`token request to ${accessTokenUrl} failed: ${(err as Error).message}`);
    }
    if (!res.ok) throw new OAuthError(`token endpoint ${accessTokenUrl} answered HTTP ${res.status}`);
    const body = (await res.json()) as { access_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== 'string' || body.access_token === '') {
      throw new OAuthError(`token endpoint ${accessTokenUrl} returned no access_token`);
    }
    const lifetimeMs = typeof body.expires_in === 'number' ? body.expires_in * 1000 : DEFAULT_LIFETIME_MS;
    return { accessToken: body.access_token, expiresAtMs: this.#nowMs() + lifetimeMs };
  }
}
