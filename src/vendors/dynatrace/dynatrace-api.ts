/*
 * A Dynatrace API client for the Lambda handlers (no aws-cdk-lib imports): the base URL, the
 * `Api-Token` header, and errors that add what to check for 401 and 403. The token is only
 * ever sent in the Authorization header; errors never carry headers.
 */
import { ClientOptions, HttpClient, HttpError, HttpResponse } from '../../internal/runtime/http-client';

export class DynatraceApi {
  private readonly http: HttpClient;

  /**
   * @param baseUrl the environment's API root, such as `https://abc12345.live.dynatrace.com`
   *   or `https://{domain}/e/{env}` (no trailing slash)
   * @param token the API token (read from Secrets Manager at run time)
   */
  constructor(private readonly baseUrl: string, private readonly token: string, options: ClientOptions = {}) {
    this.http = new HttpClient(options);
  }

  public async call(
    method: 'GET' | 'PUT' | 'POST' | 'DELETE',
    path: string,
    body?: unknown,
    accept: number[] = [],
  ): Promise<HttpResponse> {
    try {
      return await this.http.send({
        method,
        url: `${this.baseUrl}${path}`,
        headers: { authorization: `Api-Token ${this.token}` },
        body,
      }, accept);
    } catch (error) {
      if (error instanceof HttpError && error.status === 401) {
        throw new HttpError(`${error.message} (the API token is not valid for this environment: check the secret's value)`, 401, error.body);
      }
      if (error instanceof HttpError && error.status === 403) {
        throw new HttpError(`${error.message} (the API token lacks a scope this call needs: see the construct's documentation)`, 403, error.body);
      }
      throw error;
    }
  }
}

/** The environment's API root from a resource property, without a trailing slash. */
export function apiRoot(url: string): string {
  return url.replace(/\/+$/, '');
}
