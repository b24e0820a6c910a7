/*
 * hello: the smallest useful program for a FROM scratch image.
 *
 * A scratch image has no libc and no loader, so this program uses none: it is
 * linked statically without the C runtime and talks to the Linux x86-64 kernel
 * directly through the write(2) and exit(2) system calls.
 */

static const char greeting[] = "Hello from a FROM scratch image!\n";

enum { SYS_write = 1, SYS_exit = 60, STDOUT = 1 };

static long syscall3(long number, long a, long b, long c)
{
    long result;
    __asm__ volatile("syscall"
                     : "=a"(result)
                     : "a"(number), "D"(a), "S"(b), "d"(c)
                     : "rcx", "r11", "memory");
    return result;
}

/* The kernel jumps here; there is no main() without the C runtime. */
void _start(void)
{
    long written = syscall3(SYS_write, STDOUT, (long)greeting, sizeof greeting - 1);
    syscall3(SYS_exit, written == (long)(sizeof greeting - 1) ? 0 : 1, 0, 0);
    for (;;) {
    }
}
