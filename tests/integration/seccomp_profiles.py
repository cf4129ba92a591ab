"""Seccomp profiles that real engines ship, turned into the OCI form a runtime receives.

Docker and podman keep their default profiles in the engine format (`archMap`, rules with `includes` /
`excludes` on capabilities, architectures and kernel versions) and hand the runtime the rules that apply
to the container. `from_engine_format` does that selection as the engines do; `docker_default` builds
Docker's default profile with its structure: every syscall not listed fails with EPERM (defaultAction
SCMP_ACT_ERRNO), one big allow list (the names Docker's profile allows, which containers-common's profile
was derived from and shares), clone allowed only without namespace flags and clone3 answered with ENOSYS
(so that glibc falls back to clone) unless the container has CAP_SYS_ADMIN."""
import os
import platform

DOCKER_ALLOW = """
    _llseek _newselect accept accept4 access adjtimex alarm bind brk capget capset chdir chmod chown chown32
    clock_adjtime clock_adjtime64 clock_getres clock_getres_time64 clock_gettime clock_gettime64 clock_nanosleep
    clock_nanosleep_time64 close close_range connect copy_file_range creat dup dup2 dup3 epoll_create
    epoll_create1 epoll_ctl epoll_ctl_old epoll_pwait epoll_pwait2 epoll_wait epoll_wait_old eventfd eventfd2
    execve execveat exit exit_group faccessat faccessat2 fadvise64 fadvise64_64 fallocate fanotify_mark fchdir
    fchmod fchmodat fchown fchown32 fchownat fcntl fcntl64 fdatasync fgetxattr flistxattr flock fork
    fremovexattr fsconfig fsetxattr fsmount fsopen fspick fstat fstat64 fstatat64 fstatfs fstatfs64 fsync
    ftruncate ftruncate64 futex futex_time64 futimesat get_mempolicy get_robust_list get_thread_area getcpu
    getcwd getdents getdents64 getegid getegid32 geteuid geteuid32 getgid getgid32 getgroups getgroups32
    getitimer getpeername getpgid getpgrp getpid getppid getpriority getrandom getresgid getresgid32 getresuid
    getresuid32 getrlimit getrusage getsid getsockname getsockopt gettid gettimeofday getuid getuid32 getxattr
    inotify_add_watch inotify_init inotify_init1 inotify_rm_watch io_cancel io_destroy io_getevents io_setup
    io_submit ioctl ioprio_get ioprio_set ipc keyctl kill landlock_add_rule landlock_create_ruleset
    landlock_restrict_self lchown lchown32 lgetxattr link linkat listen listxattr llistxattr lremovexattr lseek
    lsetxattr lstat lstat64 madvise mbind membarrier memfd_create memfd_secret mincore mkdir mkdirat mknod
    mknodat mlock mlock2 mlockall mmap mmap2 mount mount_setattr move_mount mprotect mq_getsetattr mq_notify
    mq_open mq_timedreceive mq_timedreceive_time64 mq_timedsend mq_timedsend_time64 mq_unlink mremap msgctl
    msgget msgrcv msgsnd msync munlock munlockall munmap name_to_handle_at nanosleep newfstatat open open_tree
    openat openat2 pause pidfd_getfd pidfd_open pidfd_send_signal pipe pipe2 pivot_root pkey_alloc pkey_free
    pkey_mprotect poll ppoll ppoll_time64 prctl pread64 preadv preadv2 prlimit64 process_mrelease
    process_vm_readv process_vm_writev pselect6 pselect6_time64 ptrace pwrite64 pwritev pwritev2 read readahead
    readdir readlink readlinkat readv reboot recv recvfrom recvmmsg recvmmsg_time64 recvmsg remap_file_pages
    removexattr rename renameat renameat2 restart_syscall rmdir rseq rt_sigaction rt_sigpending rt_sigprocmask
    rt_sigqueueinfo rt_sigreturn rt_sigsuspend rt_sigtimedwait rt_sigtimedwait_time64 rt_tgsigqueueinfo
    sched_get_priority_max sched_get_priority_min sched_getaffinity sched_getattr sched_getparam
    sched_getscheduler sched_rr_get_interval sched_rr_get_interval_time64 sched_setaffinity sched_setattr
    sched_setparam sched_setscheduler sched_yield seccomp select semctl semget semop semtimedop
    semtimedop_time64 send sendfile sendfile64 sendmmsg sendmsg sendto set_mempolicy set_robust_list
    set_thread_area set_tid_address setfsgid setfsgid32 setfsuid setfsuid32 setgid setgid32 setgroups
    setgroups32 setitimer setns setpgid setpriority setregid setregid32 setresgid setresgid32 setresuid
    setresuid32 setreuid setreuid32 setrlimit setsid setsockopt setuid setuid32 setxattr shmat shmctl shmdt
    shmget shutdown sigaction sigaltstack signal signalfd signalfd4 sigpending sigprocmask sigreturn sigsuspend
    socketcall socketpair splice stat stat64 statfs statfs64 statx symlink symlinkat sync sync_file_range syncfs
    syscall sysinfo syslog tee tgkill time timer_create timer_delete timer_getoverrun timer_gettime
    timer_gettime64 timer_settime timer_settime64 timerfd timerfd_create timerfd_gettime timerfd_gettime64
    timerfd_settime timerfd_settime64 times tkill truncate truncate64 ugetrlimit umask umount umount2 uname
    unlink unlinkat unshare utime utimensat utimensat_time64 utimes vfork wait4 waitid waitpid write writev
""".split()

# Docker's mask of the CLONE_NEW* flags: clone is allowed only when none of them is set.
CLONE_NEW_MASK = 2114060288
ENOSYS = 38
EPERM = 1
NATIVE_SCMP_ARCH = {"x86_64": "SCMP_ARCH_X86_64", "aarch64": "SCMP_ARCH_AARCH64"}.get(platform.machine())
ENGINE_ARCH = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())


def _kernel():
    parts = os.uname().release.split("-")[0].split(".")
    return tuple(int(p) for p in parts[:2])


def _applies(rule, caps, arch):
    inc, exc = rule.get("includes") or {}, rule.get("excludes") or {}
    if inc.get("caps") and not all(c in caps for c in inc["caps"]):
        return False
    if inc.get("arches") and arch not in inc["arches"]:
        return False
    if inc.get("minKernel") and _kernel() < tuple(int(p) for p in inc["minKernel"].split(".")[:2]):
        return False
    if exc.get("caps") and any(c in caps for c in exc["caps"]):
        return False
    if exc.get("arches") and arch in exc["arches"]:
        return False
    return True


def from_engine_format(profile, caps, arch=ENGINE_ARCH):
    """The OCI linux.seccomp an engine gives the runtime for a container with bounding set `caps`."""
    out = {"defaultAction": profile["defaultAction"], "syscalls": []}
    if "defaultErrnoRet" in profile:
        out["defaultErrnoRet"] = profile["defaultErrnoRet"]
    archs = []  # the engines pass the native architecture's entry only
    for m in profile.get("archMap") or []:
        if m["architecture"] == NATIVE_SCMP_ARCH:
            archs += [m["architecture"], *m.get("subArchitectures", [])]
    if archs:
        out["architectures"] = archs
    for rule in profile["syscalls"]:
        if not _applies(rule, caps, arch):
            continue
        r = {"names": rule["names"], "action": rule["action"]}
        if rule.get("errnoRet") is not None:
            r["errnoRet"] = rule["errnoRet"]
        if rule.get("args"):
            r["args"] = [{k: a[k] for k in ("index", "value", "valueTwo", "op") if k in a} for a in rule["args"]]
        out["syscalls"].append(r)
    return out


def docker_default_engine_format():
    return {
        "defaultAction": "SCMP_ACT_ERRNO",
        "defaultErrnoRet": EPERM,
        "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]},
                    {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}],
        "syscalls": [
            {"names": DOCKER_ALLOW, "action": "SCMP_ACT_ALLOW"},
            *[{"names": ["personality"], "action": "SCMP_ACT_ALLOW",
               "args": [{"index": 0, "value": v, "valueTwo": 0, "op": "SCMP_CMP_EQ"}]}
              for v in (0, 8, 131072, 131080, 4294967295)],
            {"names": ["arch_prctl"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["amd64", "x32"]}},
            {"names": ["modify_ldt"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["amd64", "x32", "x86"]}},
            {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
             "args": [{"index": 0, "value": CLONE_NEW_MASK, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}],
             "excludes": {"caps": ["CAP_SYS_ADMIN"], "arches": ["s390", "s390x"]}},
            {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": ENOSYS,
             "excludes": {"caps": ["CAP_SYS_ADMIN"]}},
            {"names": ["clone", "clone3", "unshare", "setns", "mount", "umount2", "bpf", "setdomainname",
                       "sethostname", "syslog"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
        ],
    }


def docker_default(caps):
    return from_engine_format(docker_default_engine_format(), caps)


# Deny by default: what busybox needs for `sh -c`, `sleep`, `true` and `cat` (strace of busybox-static),
# plus what the runtime itself still does once the filter is loaded without noNewPrivileges (the identity
# switch, then execve). Not close_range: the runtime must not need it after the filter.
MINIMAL_ALLOW = """
    arch_prctl brk clock_nanosleep close execve exit exit_group fcntl getpid getppid getrandom getuid mmap
    mprotect munmap newfstatat openat prlimit64 read readlink rseq rt_sigaction rt_sigprocmask rt_sigreturn
    sendfile set_robust_list set_tid_address uname write wait4 clone fork vfork
    prctl capget capset setgroups setresgid setresuid umask
""".split()


def deny_by_default():
    return {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": EPERM,
            "syscalls": [{"names": MINIMAL_ALLOW, "action": "SCMP_ACT_ALLOW"}]}
