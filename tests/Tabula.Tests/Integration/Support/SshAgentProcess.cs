using System.Diagnostics;
using System.Text;

namespace Tabula.Tests.Integration.Support;

/// <summary>A real <c>ssh-agent</c> in the foreground on a socket of its own, stopped (by its id) when disposed.</summary>
internal sealed class SshAgentProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private SshAgentProcess(Process process, string socket)
    {
        _process = process;
        Socket = socket;
    }

    public string Socket { get; }

    /// <summary>What the agent printed on stderr so far (its debug lines when started with <c>debug</c>).</summary>
    public string Log
    {
        get
        {
            lock (_log) return _log.ToString();
        }
    }

    /// <summary>Starts the agent at <paramref name="socket"/> (a short path: a unix socket's is limited to 107 bytes) and waits until it listens.</summary>
    public static async Task<SshAgentProcess> StartAsync(string socket, CancellationToken cancellationToken, bool debug = false)
    {
        var agent = Requirements.Tool("ssh-agent", "openssh-client");
        var process = new Process { StartInfo = new ProcessStartInfo(agent, [debug ? "-d" : "-D", "-a", socket]) { RedirectStandardOutput = true, RedirectStandardError = true } };
        var started = new SshAgentProcess(process, socket);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (started._log) started._log.AppendLine(e.Data);
        };
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        while (!File.Exists(socket))
        {
            if (process.HasExited)
            {
                started.Dispose();
                throw new InvalidOperationException("ssh-agent ended: " + started.Log);
            }
            await Task.Delay(20, cancellationToken);
        }
        return started;
    }

    /// <summary>Makes an RSA key with ssh-keygen and adds it to this agent; returns the key's fingerprint line as <c>ssh-add -l</c> prints it.</summary>
    public async Task<string> AddNewKeyAsync(string keyFile, CancellationToken cancellationToken)
    {
        await ProcessRunner.RunCheckedAsync(Requirements.Tool("ssh-keygen", "openssh-client"), ["-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", keyFile], cancellationToken);
        await ProcessRunner.RunCheckedAsync(Requirements.Tool("ssh-add", "openssh-client"), [keyFile], cancellationToken, Environment(Socket));
        return (await ProcessRunner.RunCheckedAsync(Requirements.Tool("ssh-add", "openssh-client"), ["-l"], cancellationToken, Environment(Socket))).StandardOutput.Trim();
    }

    /// <summary>Options that point ssh-add at <paramref name="socket"/>.</summary>
    public static ProcessOptions Environment(string socket) => new() { Environment = new Dictionary<string, string?> { ["SSH_AUTH_SOCK"] = socket } };

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill();
        _process.WaitForExit();
        _process.Dispose();
        File.Delete(Socket);
    }
}
