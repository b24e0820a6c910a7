using System.Diagnostics;

namespace Tabula.Tests.Integration.Support;

/// <summary>Runs real programs (docker, skopeo, tar, …) and captures what they write.</summary>
public static class ProcessRunner
{
    /// <summary>Runs to completion and returns the result whatever the exit code.</summary>
    /// <exception cref="TimeoutException">The process outlived <see cref="ProcessOptions.Timeout"/> (it is killed).</exception>
    public static async Task<ProcessResult> RunAsync(
        string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken, ProcessOptions? options = null)
    {
        options ??= new ProcessOptions();
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = options.WorkingDirectory ?? "",
        };
        foreach (var argument in arguments)
            startInfo.ArgumentList.Add(argument);
        foreach (var (name, value) in options.Environment)
            startInfo.Environment[name] = value;
        var commandLine = string.Join(' ', [fileName, .. startInfo.ArgumentList.Select(Quote)]);

        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"could not start `{commandLine}`");
        using var timeout = new CancellationTokenSource(options.Timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            // Read both pipes while writing stdin: a child blocked on a full pipe never exits.
            var standardOutput = process.StandardOutput.ReadToEndAsync(linked.Token);
            var standardError = process.StandardError.ReadToEndAsync(linked.Token);
            await WriteStandardInputAsync(process, options.StandardInput, linked.Token);
            await process.WaitForExitAsync(linked.Token);
            return new ProcessResult(commandLine, process.ExitCode, await standardOutput, await standardError);
        }
        catch (OperationCanceledException)
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
            if (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                throw new TimeoutException($"`{commandLine}` did not finish within {options.Timeout}");
            throw;
        }
    }

    /// <summary>Runs to completion and throws <see cref="ProcessFailedException"/> unless it exits with 0.</summary>
    public static async Task<ProcessResult> RunCheckedAsync(
        string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken, ProcessOptions? options = null) =>
        (await RunAsync(fileName, arguments, cancellationToken, options)).EnsureSuccess();

    private static async Task WriteStandardInputAsync(Process process, byte[]? input, CancellationToken cancellationToken)
    {
        try
        {
            if (input is not null)
                await process.StandardInput.BaseStream.WriteAsync(input, cancellationToken);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The child exited without reading all of its input; its exit code tells what happened.
        }
    }

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:@%+,".Contains(c))
            ? argument
            : "'" + argument.Replace("'", "'\\''") + "'";
}
