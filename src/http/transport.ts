// The seam between api.rest.v1 and the network: everything above it (request
// building, auth, retries, parsing, errors) is the same whether the call goes
// to a real service or is answered offline by `scriptcode test`.
import type { ServiceConfig } from '../services/types.js';
import { ServiceClient, type HttpRequest, type HttpResponse } from './service-client.js';

export interface Transport {
  /** Sends one request to `service`; failures are HttpCallError. */
  request(service: ServiceConfig, request: HttpRequest): Promise<HttpResponse>;
  close?(): Promise<void>;
}

/** The real network: one keep-alive ServiceClient per service, made on first use. */
export class NetworkTransport implements Transport {
  private readonly clients = new Map<string, ServiceClient>();

  request(service: ServiceConfig, request: HttpRequest): Promise<HttpResponse> {
    let client = this.clients.get(service.id);
    if (!client) {
      client = new ServiceClient(service);
      this.clients.set(service.id, client);
    }
    return client.request(request);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.clients.values()].map((c) => c.close()));
    this.clients.clear();
  }
}
