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

export function imageInspect(img: Image, graph: { lowerDirs: string[]; parent?: string }) {
  const c = img.config.config ?? {};
  return {
    Id: img.id,
    RepoTags: img.refs.filter((r) => !r.includes('@')).map(familiarFromCanonical),
    RepoDigests: img.refs.filter((r) => r.includes('@')).map(familiarFromCanonical),
    Parent: graph.parent ?? '',
    Comment: img.config.history?.[img.config.history.length - 1]?.comment ?? '',
    Created: created(img),
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
