/*
 * Datadog's endpoint services per site, from ../shared/vendor-guides/datadog-privatelink.md
 * (sections 1 and 2; Datadog's own tables, mid-2026). One row per intake this library offers: the
 * service name's ID (`vpce-svc-…`, in the site's region) and the service's private DNS name,
 * which is the intake's public host at AP1 and where US1 has no anchor yet ("direct"), and the
 * service's anchor `<colour>.intake.<site domain>` otherwise (the public hosts are CNAMEs to it).
 * test/vendors/datadog/datadog-services.test.ts compares this table with the fact sheet's.
 */

/** The intakes of this library, by the key `DatadogIntake` uses. */
export type IntakeKey =
  | 'api' | 'metrics' | 'logsAgent' | 'logsUser' | 'traces' | 'process' | 'containers'
  | 'profiling' | 'databaseMonitoring' | 'remoteConfiguration';

/** One intake's endpoint service at one site. */
export interface IntakeService {
  /** The service's ID, `vpce-svc-` and 17 hex digits. */
  readonly serviceId: string;
  /** The service's private DNS name (the zone name for a peered VPC). */
  readonly privateDnsName: string;
  /** A host the Agent sends this intake's data to, which resolves through `privateDnsName`. */
  readonly host: string;
}

/** A site that offers AWS PrivateLink. */
export interface SiteServices {
  /** The site's domain (`DD_SITE`). */
  readonly domain: string;
  /** The AWS region of the site's endpoint services. */
  readonly region: string;
  readonly intakes: Record<IntakeKey, IntakeService>;
}

/** The hosts an Agent sends each intake to, on a site domain. */
function hosts(d: string): Record<IntakeKey, string> {
  return {
    api: `api.${d}`,
    metrics: `metrics.agent.${d}`,
    logsAgent: `agent-http-intake.logs.${d}`,
    logsUser: `http-intake.logs.${d}`,
    traces: `trace.agent.${d}`,
    process: `process.${d}`,
    containers: `orchestrator.${d}`,
    profiling: `intake.profile.${d}`,
    databaseMonitoring: `dbm-metrics-intake.${d}`,
    remoteConfiguration: `config.${d}`,
  };
}

/** A site's table: per intake, its service ID and either `direct` (private DNS = host) or an anchor colour. */
function site(domain: string, region: string, rows: Record<IntakeKey, [string, string]>): SiteServices {
  const host = hosts(domain);
  const intakes = Object.fromEntries(Object.entries(rows).map(([key, [serviceId, anchor]]) => [key, {
    serviceId,
    host: host[key as IntakeKey],
    privateDnsName: anchor === 'direct' ? host[key as IntakeKey] : `${anchor}.intake.${domain}`,
  }])) as Record<IntakeKey, IntakeService>;
  return { domain, region, intakes };
}

/** The sites that offer AWS PrivateLink, by the name Datadog gives them. */
export const DATADOG_SITES: Record<string, SiteServices> = {
  US1: site('datadoghq.com', 'us-east-1', {
    api: ['vpce-svc-07895350fd0109264', 'orchid'],
    metrics: ['vpce-svc-09a8006e245d1e7b8', 'direct'],
    logsAgent: ['vpce-svc-025a56b9187ac1f63', 'direct'],
    logsUser: ['vpce-svc-0e36256cb6172439d', 'direct'],
    traces: ['vpce-svc-0ee865cd1c0a7ba32', 'lime'],
    process: ['vpce-svc-0ed1f789ac6b0bde1', 'direct'],
    containers: ['vpce-svc-0ad5fb9e71f85fe99', 'direct'],
    profiling: ['vpce-svc-022ae36a7b2472029', 'direct'],
    databaseMonitoring: ['vpce-svc-0ce70d55ec4af8501', 'direct'],
    remoteConfiguration: ['vpce-svc-01f21309e507e3b1d', 'direct'],
  }),
  AP1: site('ap1.datadoghq.com', 'ap-northeast-1', {
    api: ['vpce-svc-008cd79a7a09e0a1e', 'direct'],
    metrics: ['vpce-svc-002d904d5e69340ad', 'direct'],
    logsAgent: ['vpce-svc-03e139d1f2766685b', 'direct'],
    logsUser: ['vpce-svc-08799aabff1cfd8a3', 'direct'],
    traces: ['vpce-svc-0a5d94b2e8f6e70fc', 'direct'],
    process: ['vpce-svc-0e86b29a0dc2c8a26', 'direct'],
    containers: ['vpce-svc-03ffd8d552f0d957d', 'direct'],
    profiling: ['vpce-svc-0d598057ecde10596', 'direct'],
    databaseMonitoring: ['vpce-svc-0cc53180ae06bb977', 'direct'],
    remoteConfiguration: ['vpce-svc-00e15ab206f23b98c', 'direct'],
  }),
  AP2: site('ap2.datadoghq.com', 'ap-southeast-2', {
    api: ['vpce-svc-06ec78b291ce8020a', 'orchid'],
    metrics: ['vpce-svc-06a30d6a016b746ff', 'beige'],
    logsAgent: ['vpce-svc-06460db30a7cfdace', 'gold'],
    logsUser: ['vpce-svc-06460db30a7cfdace', 'gold'],
    traces: ['vpce-svc-0f3e01f4180b2ae09', 'lime'],
    process: ['vpce-svc-0c26ca335d93a68b5', 'bisque'],
    containers: ['vpce-svc-031da3ffac78ef902', 'linen'],
    profiling: ['vpce-svc-0d936da0e6a30d3cd', 'cyan'],
    databaseMonitoring: ['vpce-svc-094469ee7a178f448', 'white'],
    remoteConfiguration: ['vpce-svc-01f8f80f4cb97bd10', 'violet'],
  }),
  UK1: site('uk1.datadoghq.com', 'eu-west-2', {
    api: ['vpce-svc-05399db7fb3b28c77', 'orchid'],
    metrics: ['vpce-svc-058a9de2dbf6959f9', 'beige'],
    logsAgent: ['vpce-svc-03fb3a3dd752ef336', 'gold'],
    logsUser: ['vpce-svc-03fb3a3dd752ef336', 'gold'],
    traces: ['vpce-svc-08989912d1ef253f4', 'lime'],
    process: ['vpce-svc-0fe52c96bfb6c5d0e', 'bisque'],
    containers: ['vpce-svc-07f22a32140efaae5', 'linen'],
    profiling: ['vpce-svc-01f4f12969c768c0c', 'cyan'],
    databaseMonitoring: ['vpce-svc-03e170925a2baa029', 'white'],
    remoteConfiguration: ['vpce-svc-0755097b02a34f9e7', 'violet'],
  }),
};

/** Sites Datadog runs without AWS PrivateLink, and what they offer instead (fact sheet, section 1). */
export const SITES_WITHOUT_PRIVATELINK: Record<string, string> = {
  US3: 'no AWS offer',
  US5: 'Google Cloud Private Service Connect instead',
  EU1: 'no AWS offer',
  US1_FED: 'not offered',
  US2_FED: 'not offered',
};
