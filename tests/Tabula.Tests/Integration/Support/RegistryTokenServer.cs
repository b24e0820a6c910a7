using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace Tabula.Tests.Integration.Support;

/// <summary>
/// A small token server for a registry configured with <c>auth: token</c>: it signs JWTs (RS256, certificate in the
/// <c>x5c</c> header) granting <c>pull</c> to anyone and <c>pull,push</c> to the one user it knows, and records the
/// scopes it was asked for.
/// </summary>
public sealed class RegistryTokenServer : IAsyncDisposable
{
    public const string Service = "tabula-test-registry";
    public const string Issuer = "tabula-test-issuer";

    private readonly HttpListener _listener;
    private readonly RSA _key;
    private readonly X509Certificate2 _certificate;
    private readonly (string User, string Password) _account;
    private readonly Task _loop;
    private readonly List<(string? User, string Scope)> _requests = [];

    private RegistryTokenServer(HttpListener listener, RSA key, X509Certificate2 certificate, (string, string) account, string certificateFile, int port)
    {
        _listener = listener;
        _key = key;
        _certificate = certificate;
        _account = account;
        CertificateFile = certificateFile;
        Port = port;
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }
    public string CertificateFile { get; }
    public string Realm => $"http://127.0.0.1:{Port}/token";

    /// <summary>Each token request: the user that authenticated (null: anonymous) and the scopes, space-separated.</summary>
    public IReadOnlyList<(string? User, string Scope)> Requests { get { lock (_requests) return _requests.ToList(); } }

    /// <summary>The <c>auth:</c> section for the registry's config.</summary>
    public IEnumerable<string> RegistryConfig =>
    [
        "auth:",
        "  token:",
        $"    realm: {Realm}",
        $"    service: {Service}",
        $"    issuer: {Issuer}",
        $"    rootcertbundle: {CertificateFile}",
    ];

    public static RegistryTokenServer Start(TempDir dir, (string User, string Password) account)
    {
        var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=tabula test token signer", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2));
        var file = dir.Combine("token-signer.pem");
        File.WriteAllText(file, certificate.ExportCertificatePem() + "\n");
        for (int attempt = 0; ; attempt++)
        {
            int port = Random.Shared.Next(20000, 60000);
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return new RegistryTokenServer(listener, key, certificate, account, file, port);
            }
            catch (HttpListenerException) when (attempt < 20)
            {
                listener.Close();
            }
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            try { Answer(context); }
            catch (Exception) { context.Response.StatusCode = 500; }
            finally { context.Response.Close(); }
        }
    }

    private void Answer(HttpListenerContext context)
    {
        string? user = null;
        var authorization = context.Request.Headers["Authorization"];
        if (authorization is not null && authorization.StartsWith("Basic ", StringComparison.Ordinal))
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization[6..]));
            if (decoded != $"{_account.User}:{_account.Password}")
            {
                context.Response.StatusCode = 401;
                return;
            }
            user = _account.User;
        }
        var scopes = context.Request.QueryString.GetValues("scope") ?? [];
        lock (_requests) _requests.Add((user, string.Join(' ', scopes)));
        var access = new List<object>();
        foreach (var scope in scopes.SelectMany(s => s.Split(' ')))
        {
            var parts = scope.Split(':');
            if (parts.Length != 3 || parts[0] != "repository") continue;
            var wanted = parts[2].Split(',');
            var granted = wanted.Where(a => a == "pull" || a == "push" && user is not null).ToArray();
            access.Add(new Dictionary<string, object> { ["type"] = "repository", ["name"] = parts[1], ["actions"] = granted });
        }
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new Dictionary<string, object> { ["alg"] = "RS256", ["typ"] = "JWT", ["x5c"] = new[] { Convert.ToBase64String(_certificate.RawData) } };
        var claims = new Dictionary<string, object>
        {
            ["iss"] = Issuer, ["sub"] = user ?? "", ["aud"] = Service, ["exp"] = now + 300, ["nbf"] = now - 10, ["iat"] = now,
            ["jti"] = Guid.NewGuid().ToString("N"), ["access"] = access,
        };
        var signingInput = Base64Url(Json(header)) + "." + Base64Url(Json(claims));
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var token = signingInput + "." + Base64Url(signature);
        var body = Json(new Dictionary<string, object> { ["token"] = token, ["expires_in"] = 300, ["issued_at"] = DateTimeOffset.UtcNow.ToString("O") });
        context.Response.ContentType = "application/json";
        context.Response.OutputStream.Write(body);
    }

    private static byte[] Json(object value) => JsonSerializer.SerializeToUtf8Bytes(value);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        try { await _loop; } catch (Exception) { }
        _key.Dispose();
        _certificate.Dispose();
    }
}
