/**
 * engine/image-views — Docker's JSON for images: `GET /images/json`
 * summaries and `GET /images/{name}/json` inspect. Pure.
 */
import { familiarFromCanonical } from '../oci/reference.js';
import type { Image } from '../images/image-store.js';

function created(img: Image): string {
  return img.config.created ?? img.createdAt;
}

export function imageSummary(img: Image, containers: number, parent?: string) {
  const tags = img.refs.filter((r) => !r.includes('@')).map(familiarFromCanonical);
  return {
    Id: img.id,
    ParentId: parent ?? '',
    RepoTags: tags,
    RepoDigests: img.refs.filter((r) => r.includes('@')).map(familiarFromCanonical),
    Created: Math.floor(Date.parse(created(img)) / 1000) || 0,
    Size: img.size,
    SharedSize: -1,
    VirtualSize: img.size,
    Labels: img.config.config?.Labels ?? {},
    Containers: containers,
  };
}

/** Go's zero container.Config as dockerd serialises it (fields without omitempty). */
const EMPTY_CONTAINER_CONFIG = {
  Hostname: '', Domainname: '', User: '', AttachStdin: false, AttachStdout: false, AttachStderr: false,
  Tty: false, OpenStdin: false, StdinOnce: false, Env: null, Cmd: null, Image: '', Volumes: null,
  WorkingDir: '', Entrypoint: null, OnBuild: null, Labels: null,
};

/** The image's legacy `container_config` (set by the classic builder and commit), or an empty one. */
function containerConfig(img: Image): Record<string, unknown> {
  const cc = img.config.container_config;
  return cc && typeof cc === 'object' && !Array.isArray(cc) ? { ...EMPTY_CONTAINER_CONFIG, ...(cc as Record<string, unknown>) } : { ...EMPTY_CONTAINER_CONFIG };
}

/**
 * Inspect as dockerd 28 builds it for the newest API; the server drops
 * what older or newer API versions do not get (VirtualSize from 1.44,
 * Container and ContainerConfig from 1.45 — docker-compose v1 reads
 * ContainerConfig.Volumes when it recreates a container).
 */
export function imageInspect(img: Image, graph: { lowerDirs: string[]; parent?: string }) {
  const c = img.config.config ?? {};
  return {
    Id: img.id,
    RepoTags: img.refs.filter((r) => !r.includes('@')).map(familiarFromCanonical),
    RepoDigests: img.refs.filter((r) => r.includes('@')).map(familiarFromCanonical),
    Parent: graph.parent ?? '',
    Comment: img.config.history?.[img.config.history.length - 1]?.comment ?? '',
    Created: created(img),
    Container: typeof img.config.container === 'string' ? img.config.container : '',
    ContainerConfig: containerConfig(img),
    DockerVersion: '',
    Author: img.config.author ?? '',
    Config: {
      Hostname: '', Domainname: '', User: c.User ?? '', AttachStdin: false, AttachStdout: false, AttachStderr: false,
      ExposedPorts: c.ExposedPorts, Tty: false, OpenStdin: false, StdinOnce: false,
      Env: c.Env ?? null, Cmd: c.Cmd ?? null, Healthcheck: c.Healthcheck, Image: '', Volumes: c.Volumes ?? null,
      WorkingDir: c.WorkingDir ?? '', Entrypoint: c.Entrypoint ?? null, OnBuild: c.OnBuild ?? null, Labels: c.Labels ?? null,
      StopSignal: c.StopSignal, Shell: c.Shell,
    },
    Architecture: img.config.architecture,
    Variant: img.config.variant,
    Os: img.config.os,
    Size: img.size,
    VirtualSize: img.size,
    GraphDriver: { Name: 'overlay', Data: { LowerDir: graph.lowerDirs.join(':') } },
    RootFS: { Type: 'layers', Layers: img.config.rootfs?.diff_ids ?? [] },
    Metadata: { LastTagTime: img.createdAt },
  };
}
