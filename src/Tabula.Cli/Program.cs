using System.Runtime.InteropServices;
using Tabula.Cli;

// SIGINT, SIGTERM and SIGHUP cancel the command instead of ending the process, so that what it started (containers,
// mounts, temporary folders, copies of secrets) is stopped and removed before it exits; a second signal ends it at
// once. The exit code is then the shell's for that signal (128 + its number).
using var cancellation = new CancellationTokenSource();
int signalExitCode = 0;
void OnSignal(PosixSignalContext context)
{
    int code = context.Signal switch { PosixSignal.SIGINT => 130, PosixSignal.SIGTERM => 143, _ => 129 };
    if (Interlocked.CompareExchange(ref signalExitCode, code, 0) != 0) return; // the second signal: default action
    context.Cancel = true;
    cancellation.Cancel();
}
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
using var onHangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);

int exitCode = await CliApp.RunAsync(args, Console.Out, Console.Error, Environment.GetEnvironmentVariable, cancellation.Token);
return signalExitCode != 0 && exitCode != 0 ? signalExitCode : exitCode;
