/**
 * runtime/seccomp-default — berth's built-in seccomp profile: Docker's
 * default profile (moby profiles/seccomp), as data in Docker's profile
 * format, translated per container by runtime/seccomp like any profile.
 *
 * An allow-list. The default action is ERRNO with EPERM (moby's
 * default.json: "defaultErrnoRet": 1); the rules let through the
 * everyday syscalls, some only with argument conditions (socket without
 * AF_ALG and AF_VSOCK, personality only for the personas programs ask for,
 * clone without namespace flags), some only on one architecture, and the
 * privileged ones only when the container holds the capability that gates
 * them (`--cap-add SYS_ADMIN` lets mount, unshare, setns, the new mount
 * API, bpf, clone with namespace flags and clone3 through, as in Docker).
 * `clone3`, whose flags sit in memory a filter cannot read, answers ENOSYS
 * without CAP_SYS_ADMIN so libc falls back to `clone`.
 *
 * Syscalls newer than the list answer ENOSYS, not EPERM, so that libc
 * falls back to the older call: that is the runtime's work, not the
 * profile's. runc (≥ 1.0.0-rc93, patchbpf) prepends a stub to any filter
 * whose default action is not an allow: a syscall number above the highest
 * one the filter names (per architecture) gets ENOSYS. Names the runtime's
 * libseccomp does not know are skipped: with runc 1.1.5 and Debian's
 * libseccomp 2.5.4 the highest is futex_requeue (456), so 457 and above
 * answer ENOSYS, as under dockerd on the same runc. A syscall below that
 * line that no rule lets through answers EPERM (keyctl, add_key, mount,
 * unshare, io_uring, set_mempolicy_home_node without CAP_SYS_NICE, the
 * unimplemented getpmsg, …). defaultErrnoRet stays EPERM, as in Docker:
 * ENOSYS there would turn those refusals into "not implemented".
 *
 * Pure data and one function: capabilities, architecture, kernel in; the
 * spec's `linux.seccomp` out.
 *
 * May import: oci (types), runtime/seccomp.
 */
import { release } from 'node:os';
import type { LinuxSeccomp, LinuxSeccompArg } from '../oci/runtime-spec.js';
import { seccompArchitectures, seccompFromDockerProfile, type DockerSeccompProfile, type DockerSyscall } from './seccomp.js';

const EPERM = 1;
const ENOSYS = 38;
const ALLOW = 'SCMP_ACT_ALLOW';

/** Allowed on every architecture for every container (names an architecture lacks are skipped by the runtime). */
const EVERYDAY = `
  accept accept4 access adjtimex alarm bind brk cachestat capget capset chdir chmod chown chown32 clock_adjtime
  clock_adjtime64 clock_getres clock_getres_time64 clock_gettime clock_gettime64 clock_nanosleep
  clock_nanosleep_time64 close close_range connect copy_file_range creat dup dup2 dup3 epoll_create epoll_create1
  epoll_ctl epoll_ctl_old epoll_pwait epoll_pwait2 epoll_wait epoll_wait_old eventfd eventfd2 execve execveat exit
  exit_group faccessat faccessat2 fadvise64 fadvise64_64 fallocate fanotify_mark fchdir fchmod fchmodat fchmodat2
  fchown fchown32 fchownat fcntl fcntl64 fdatasync fgetxattr flistxattr flock fork fremovexattr fsetxattr fstat
  fstat64 fstatat64 fstatfs fstatfs64 fsync ftruncate ftruncate64 futex futex_requeue futex_time64 futex_wait
  futex_waitv futex_wake futimesat get_robust_list get_thread_area getcpu getcwd getdents getdents64 getegid
  getegid32 geteuid geteuid32 getgid getgid32 getgroups getgroups32 getitimer getpeername getpgid getpgrp getpid
  getppid getpriority getrandom getresgid getresgid32 getresuid getresuid32 getrlimit getrusage getsid getsockname
  getsockopt gettid gettimeofday getuid getuid32 getxattr getxattrat inotify_add_watch inotify_init inotify_init1
  inotify_rm_watch io_cancel io_destroy io_getevents io_pgetevents io_pgetevents_time64 io_setup io_submit ioctl
  ioprio_get ioprio_set ipc kill landlock_add_rule landlock_create_ruleset landlock_restrict_self lchown lchown32
  lgetxattr link linkat listen listmount listxattr listxattrat llistxattr _llseek lremovexattr lseek lsetxattr
  lstat lstat64 madvise map_shadow_stack membarrier memfd_create memfd_secret mincore mkdir mkdirat mknod mknodat
  mlock mlock2 mlockall mmap mmap2 mprotect mq_getsetattr mq_notify mq_open mq_timedreceive mq_timedreceive_time64
  mq_timedsend mq_timedsend_time64 mq_unlink mremap mseal msgctl msgget msgrcv msgsnd msync munlock munlockall
  munmap name_to_handle_at nanosleep newfstatat _newselect open openat openat2 pause pidfd_open pidfd_send_signal
  pipe pipe2 pkey_alloc pkey_free pkey_mprotect poll ppoll ppoll_time64 prctl pread64 preadv preadv2 prlimit64
  process_mrelease pselect6 pselect6_time64 pwrite64 pwritev pwritev2 read readahead readlink readlinkat readv
  recv recvfrom recvmmsg recvmmsg_time64 recvmsg remap_file_pages removexattr removexattrat rename renameat
  renameat2 restart_syscall riscv_hwprobe rmdir rseq rt_sigaction rt_sigpending rt_sigprocmask rt_sigqueueinfo
  rt_sigreturn rt_sigsuspend rt_sigtimedwait rt_sigtimedwait_time64 rt_tgsigqueueinfo sched_get_priority_max
  sched_get_priority_min sched_getaffinity sched_getattr sched_getparam sched_getscheduler sched_rr_get_interval
  sched_rr_get_interval_time64 sched_setaffinity sched_setattr sched_setparam sched_setscheduler sched_yield
  seccomp select semctl semget semop semtimedop semtimedop_time64 send sendfile sendfile64 sendmmsg sendmsg sendto
  set_robust_list set_thread_area set_tid_address setfsgid setfsgid32 setfsuid setfsuid32 setgid setgid32
  setgroups setgroups32 setitimer setpgid setpriority setregid setregid32 setresgid setresgid32 setresuid
  setresuid32 setreuid setreuid32 setrlimit setsid setsockopt setuid setuid32 setxattr setxattrat shmat shmctl
  shmdt shmget shutdown sigaltstack signalfd signalfd4 sigprocmask sigreturn socketcall socketpair splice stat
  stat64 statfs statfs64 statmount statx symlink symlinkat sync sync_file_range syncfs sysinfo tee tgkill time
  timer_create timer_delete timer_getoverrun timer_gettime timer_gettime64 timer_settime timer_settime64
  timerfd_create timerfd_gettime timerfd_gettime64 timerfd_settime timerfd_settime64 times tkill truncate
  truncate64 ugetrlimit umask uname unlink unlinkat uretprobe utime utimensat utimensat_time64 utimes vfork
  vmsplice wait4 waitid waitpid write writev
`;

const words = (s: string) => s.trim().split(/\s+/);
const allow = (names: string, when: Omit<DockerSyscall, 'names' | 'action'> = {}): DockerSyscall => ({ names: words(names), action: ALLOW, ...when });
const arg0 = (op: LinuxSeccompArg['op'], value: number): LinuxSeccompArg[] => [{ index: 0, value, op }];
const onlyWith = (cap: string, names: string, comment: string) => allow(names, { comment, includes: { caps: [cap] } });

const AF_ALG = 38;
const AF_VSOCK = 40;
/** clone(2) flags that create namespaces: CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET. */
export const CLONE_NAMESPACE_FLAGS = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000;

const RULES: DockerSyscall[] = [
  allow(EVERYDAY),
  allow('process_vm_readv process_vm_writev ptrace', { comment: 'ptrace stopped bypassing seccomp in 4.8', includes: { minKernel: '4.8' } }),
  // one rule per range: AF_ALG (the kernel crypto API) and AF_VSOCK (host-guest sockets) are left out, the family between them kept
  allow('socket', { comment: 'families below AF_ALG', args: arg0('SCMP_CMP_LT', AF_ALG) }),
  allow('socket', { comment: 'the family between AF_ALG and AF_VSOCK', args: arg0('SCMP_CMP_EQ', AF_ALG + 1) }),
  allow('socket', { comment: 'families above AF_VSOCK', args: arg0('SCMP_CMP_GT', AF_VSOCK) }),
  // PER_LINUX, PER_LINUX32, UNAME26, PER_LINUX32|UNAME26, and 0xffffffff, which only asks for the current persona
  ...[0x0, 0x0008, 0x20000, 0x20008, 0xffffffff].map((persona) => allow('personality', { args: arg0('SCMP_CMP_EQ', persona) })),
  allow('sync_file_range2 swapcontext', { includes: { arches: ['ppc64le'] } }),
  allow('arm_fadvise64_64 arm_sync_file_range sync_file_range2 breakpoint cacheflush set_tls', { includes: { arches: ['arm', 'arm64'] } }),
  allow('arch_prctl', { includes: { arches: ['amd64', 'x32'] } }),
  allow('modify_ldt', { includes: { arches: ['amd64', 'x32', 'x86'] } }),
  allow('s390_pci_mmio_read s390_pci_mmio_write s390_runtime_instr', { includes: { arches: ['s390', 's390x'] } }),
  allow('riscv_flush_icache', { includes: { arches: ['riscv64'] } }),
  onlyWith('CAP_DAC_READ_SEARCH', 'open_by_handle_at', 'file handles reach outside the root'),
  onlyWith('CAP_SYS_ADMIN', `bpf clone clone3 fanotify_init fsconfig fsmount fsopen fspick lookup_dcookie lsm_get_self_attr lsm_list_modules
    lsm_set_self_attr mount mount_setattr move_mount open_tree perf_event_open quotactl quotactl_fd setdomainname sethostname setns syslog
    umount umount2 unshare`, 'mounts, namespaces, and what CAP_SYS_ADMIN also covers'),
  // without CAP_SYS_ADMIN: clone only without namespace flags (s390 passes the flags second), clone3 ENOSYS
  allow('clone', { args: [{ index: 0, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }], excludes: { caps: ['CAP_SYS_ADMIN'], arches: ['s390', 's390x'] } }),
  allow('clone', { args: [{ index: 1, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }], includes: { arches: ['s390', 's390x'] }, excludes: { caps: ['CAP_SYS_ADMIN'] } }),
  { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS, comment: 'its flags are in memory: ENOSYS makes libc use clone', excludes: { caps: ['CAP_SYS_ADMIN'] } },
  onlyWith('CAP_SYS_BOOT', 'reboot', 'rebooting'),
  onlyWith('CAP_SYS_CHROOT', 'chroot', 'changing the root directory'),
  onlyWith('CAP_SYS_MODULE', 'delete_module init_module finit_module', 'kernel modules'),
  onlyWith('CAP_SYS_PACCT', 'acct', 'process accounting'),
  onlyWith('CAP_SYS_PTRACE', 'kcmp pidfd_getfd process_madvise process_vm_readv process_vm_writev ptrace', 'inspecting other processes'),
  onlyWith('CAP_SYS_RAWIO', 'iopl ioperm', 'raw I/O ports'),
  onlyWith('CAP_SYS_TIME', 'settimeofday stime clock_settime clock_settime64', 'setting the clock, which is not namespaced'),
  onlyWith('CAP_SYS_TTY_CONFIG', 'vhangup', 'terminal hang-up'),
  onlyWith('CAP_SYS_NICE', 'get_mempolicy mbind set_mempolicy set_mempolicy_home_node', 'NUMA policy of host memory'),
  onlyWith('CAP_SYSLOG', 'syslog', 'the kernel log'),
  onlyWith('CAP_BPF', 'bpf', 'BPF programs'),
  onlyWith('CAP_PERFMON', 'perf_event_open', 'performance monitoring'),
];

/** Node architectures whose libseccomp names the profile maps: the native one first, then what it also runs (x86_64: x86 and x32). */
const ARCHES = ['x64', 'arm64', 'arm', 's390x', 'ppc64', 'riscv64', 'mips64el'];

/** berth's built-in profile (Docker's default), in Docker's profile format; what `--security-opt seccomp=builtin` means. */
export const BUILTIN_SECCOMP_PROFILE: DockerSeccompProfile = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: EPERM,
  archMap: ARCHES.map((a) => seccompArchitectures(a)).map(([architecture, ...subArchitectures]) => ({ architecture, subArchitectures })),
  syscalls: RULES,
};

/** The built-in profile for a container holding `capabilities` (CAP_* names), on `arch` under kernel `kernelRelease`. */
export function defaultSeccomp(capabilities: string[], arch: string = process.arch, kernelRelease: string = release()): LinuxSeccomp {
  return seccompFromDockerProfile(BUILTIN_SECCOMP_PROFILE, capabilities, arch, kernelRelease);
}
