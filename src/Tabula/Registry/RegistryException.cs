using System.Net;
using System.Text.Json;

namespace Tabula.Registry;

/// <summary>One entry of a registry's error body: <c>{"errors":[{"code":"…","message":"…"}]}</c>.</summary>
public sealed record RegistryError(string Code, string Message);

/// <summary>
/// A registry refused or failed a request. Carries the HTTP status, the registry's error codes and whether trying
/// again may help. Messages never contain credentials or tokens.
/// </summary>
public class RegistryException : IOException
{
    public RegistryException(string message, HttpStatusCode? status = null, IReadOnlyList<RegistryError>? errors = null, bool transient = false, Exception? inner = null)
        : base(message, inner)
    {
        Status = status;
        Errors = errors ?? [];
        IsTransient = transient;
    }

    public HttpStatusCode? Status { get; }
    public IReadOnlyList<RegistryError> Errors { get; }
    public bool IsTransient { get; }

    public bool HasCode(string code) => Errors.Any(e => e.Code == code);

    /// <summary>Parses the distribution spec's error body; anything else gives no errors.</summary>
    public static IReadOnlyList<RegistryError> ParseErrors(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty) return [];
        try
        {
            using var doc = JsonDocument.Parse(body.ToArray());
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Array)
                return [];
            var result = new List<RegistryError>();
            foreach (var e in errors.EnumerateArray())
            {
                if (e.ValueKind != JsonValueKind.Object) continue;
                string code = e.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : "UNKNOWN";
                string message = e.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "";
                result.Add(new RegistryError(code, message));
            }
            return result;
        }
        catch (JsonException)
        {
            return [];
        }
    }

    /// <summary>Statuses where the same request may succeed later.</summary>
    public static bool IsTransientStatus(HttpStatusCode status) => status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout
        or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;
}

/// <summary>The registry wants credentials that were not given, or refused the ones given.</summary>
public sealed class RegistryAuthenticationException(string message, HttpStatusCode? status = null, IReadOnlyList<RegistryError>? errors = null, Exception? inner = null)
    : RegistryException(message, status, errors, transient: false, inner);

/// <summary>Bytes from a registry that do not match the digest or size they were asked for by.</summary>
public sealed class RegistryContentException(string message) : RegistryException(message);

/// <summary>
/// A registry that stopped answering: no response headers, or too little of a body, within the timeout. Worth one
/// more try at most; the message names the registry, the request and how long it waited.
/// </summary>
public sealed class RegistryTimeoutException(string message)
    : RegistryException(message, transient: true, inner: new TimeoutException(message));
