/**
 * engine/create-checks — what dockerd checks of a create request beyond its
 * HostConfig resources (daemon/container.go verifyContainerSettings, the
 * platform check of daemon/images GetImage), and the spec defaults that
 * depend on the request (default sysctls, the NIS domain name). Pure.
 * May import: errdefs, distribution (platform parsing).
 */
import { invalidArgument } from '../errdefs/errors.js';
import { formatPlatform, parsePlatform, type Platform } from '../distribution/platform.js';

/** Go's time.Millisecond in nanoseconds: container.MinimumDuration. */
const MINIMUM_DURATION_NS = 1_000_000;

export interface HealthcheckInput {
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

/** dockerd's healthcheck checks, with its wording: a duration is 0 (the default) or at least 1ms; retries are not negative. */
export function validateHealthcheck(hc: HealthcheckInput | null | undefined): void {
  if (!hc) return;
  const duration = (field: 'Interval' | 'Timeout' | 'StartPeriod' | 'StartInterval') => {
    const v = hc[field] ?? 0;
    if (v !== 0 && v < MINIMUM_DURATION_NS) throw invalidArgument(`${field} in Healthcheck cannot be less than 1ms`);
  };
  duration('Interval');
  duration('Timeout');
  if ((hc.Retries ?? 0) < 0) throw invalidArgument('Retries in Healthcheck cannot be negative');
  duration('StartPeriod');
  duration('StartInterval');
}

/**
 * `?platform=` of a create: the image must be for it (os and architecture,
 * the variant when both name one). A mismatch is bad input for this image,
 * with dockerd's wording.
 */
export function checkImagePlatform(spec: string | undefined, imageRef: string, image: { os?: string; architecture?: string; variant?: string }): void {
  if (!spec) return;
  const want = parsePlatform(spec);
  const have: Platform = { os: image.os || 'linux', architecture: image.architecture || want.architecture, ...(image.variant ? { variant: image.variant } : {}) };
  const variantOk = !want.variant || !have.variant || want.variant === have.variant;
  if (want.os !== have.os || want.architecture !== have.architecture || !variantOk) {
    throw invalidArgument(`image with reference ${imageRef} was found but does not match the specified platform: wanted ${formatPlatform(want)}, actual: ${formatPlatform(have)}`);
  }
}

/**
 * The sysctls a container's spec gets: Docker's defaults in a network
 * namespace of its own (unprivileged processes may bind ports below 1024 and
 * ping without NET_RAW), the NIS domain name when it has its own UTS
 * namespace, then the client's own (which win).
 */
export function containerSysctls(o: { privateNetwork: boolean; privateUts: boolean; domainname?: string; available: (name: string) => boolean; user?: Record<string, string> | null }): Record<string, string> {
  const out: Record<string, string> = {};
  if (o.privateNetwork) {
    if (o.available('net.ipv4.ping_group_range')) out['net.ipv4.ping_group_range'] = '0 2147483647';
    if (o.available('net.ipv4.ip_unprivileged_port_start')) out['net.ipv4.ip_unprivileged_port_start'] = '0';
  }
  if (o.domainname && o.privateUts) out['kernel.domainname'] = o.domainname;
  return { ...out, ...(o.user ?? {}) };
}
