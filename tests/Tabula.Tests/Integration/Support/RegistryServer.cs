using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Tabula.Tests.Integration.Support;

/// <summary>
/// A real distribution registry (<c>docker-registry serve</c>) on a free 127.0.0.1 port with filesystem storage in a
/// temp dir; optionally with htpasswd Basic auth and TLS from a self-signed certificate made here. Stopped
/// and deleted on dispose.
/// </summary>
public sealed class RegistryServer : IAsyncDisposable
{
    private readonly TempDir _dir;
    private readonly Process _process;

    private RegistryServer(TempDir dir, Process process, int port, string? caFile, string? certDir)
    {
        _dir = dir;
        _process = process;
        Port = port;
        CaFile = caFile;
        CertDir = certDir;
    }

    public int Port { get; }

    /// <summary><c>127.0.0.1:PORT</c>, the registry part of references.</summary>
    public string Host => $"127.0.0.1:{Port}";

    /// <summary>The self-signed certificate (PEM) when TLS is on.</summary>
    public string? CaFile { get; }

    /// <summary>A folder holding only <see cref="CaFile"/> as <c>ca.crt</c>, for <c>--cert-dir</c>.</summary>
    public string? CertDir { get; }

    /// <summary>Where the registry keeps its data (<c>docker/registry/v2/…</c>).</summary>
    public string StorageRoot => _dir.Combine("storage");

    /// <summary>The file of a blob in the registry's storage (to damage it on purpose).</summary>
    public string BlobDataPath(string digest)
    {
        var hex = digest["sha256:".Length..];
        return Path.Combine(StorageRoot, "docker", "registry", "v2", "blobs", "sha256", hex[..2], hex, "data");
    }

    public static async Task<RegistryServer> StartAsync(CancellationToken cancellationToken, (string User, string Password)? htpasswd = null, bool tls = false, IEnumerable<string>? extraConfig = null)
    {
        var registry = Requirements.Tool("docker-registry");
        var dir = new TempDir("registry");
        try
        {
            int port = FreePort();
            var config = new List<string>
            {
                "version: 0.1",
                "log:",
                "  level: error",
                "  accesslog:",
                "    disabled: true",
                "storage:",
                "  filesystem:",
                $"    rootdirectory: {dir.Combine("storage")}",
                "  delete:",
                "    enabled: true",
                "http:",
                $"  addr: 127.0.0.1:{port}",
            };
            string? caFile = null, certDir = null;
            if (tls)
            {
                caFile = dir.Combine("cert.pem");
                WriteSelfSignedCertificate(caFile, dir.Combine("key.pem"));
                certDir = dir.CreateDirectory("certs");
                File.Copy(caFile, Path.Combine(certDir, "ca.crt"));
                config.Add("  tls:");
                config.Add($"    certificate: {caFile}");
                config.Add($"    key: {dir.Combine("key.pem")}");
            }
            if (htpasswd is { } credentials)
            {
                var tool = Requirements.Tool("htpasswd", "apache2-utils");
                var line = await ProcessRunner.RunCheckedAsync(tool, ["-Bbn", credentials.User, credentials.Password], cancellationToken);
                await File.WriteAllTextAsync(dir.Combine("htpasswd"), line.StandardOutput.Trim() + "\n", cancellationToken);
                config.Add("auth:");
                config.Add("  htpasswd:");
                config.Add("    realm: tabula-test");
                config.Add($"    path: {dir.Combine("htpasswd")}");
            }
            config.AddRange(extraConfig ?? []);
            var configPath = dir.Combine("config.yml");
            await File.WriteAllLinesAsync(configPath, config, cancellationToken);
            var start = new ProcessStartInfo(registry)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add("serve");
            start.ArgumentList.Add(configPath);
            var process = Process.Start(start) ?? throw new InvalidOperationException("could not start docker-registry");
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var server = new RegistryServer(dir, process, port, caFile, certDir);
            await server.WaitReadyAsync(tls, cancellationToken);
            return server;
        }
        catch
        {
            dir.Dispose();
            throw;
        }
    }

    private async Task WaitReadyAsync(bool tls, CancellationToken cancellationToken)
    {
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(2) };
        var url = $"{(tls ? "https" : "http")}://{Host}/v2/";
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"docker-registry exited with code {_process.ExitCode}");
            try
            {
                using var response = await http.GetAsync(url, cancellationToken);
                if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested) { }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"docker-registry did not answer at {url}");
            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>A self-signed CA certificate for 127.0.0.1 (also the server's certificate) and its PKCS#8 key, as PEM.</summary>
    private static void WriteSelfSignedCertificate(string certificateFile, string keyFile)
    {
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(
            "CN=127.0.0.1", key, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true, false, 0, true));
        var names = new System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2));
        File.WriteAllText(certificateFile, certificate.ExportCertificatePem() + "\n");
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem() + "\n");
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
        _dir.Dispose();
    }
}
