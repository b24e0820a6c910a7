using System.Net;
using System.Net.Sockets;

namespace Tabula.Registry;

/// <summary>
/// When to try a registry request again: server errors (5xx), 429 and 408, and broken connections are worth another
/// try, with exponential backoff capped per wait and in number of attempts; a <c>Retry-After</c> is honoured up to
/// the cap. Client errors (4xx) are final. Pure decisions, no sleeping: the caller waits.
/// </summary>
public sealed record RetryPolicy
{
    public int MaxAttempts { get; init; } = 5;
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Attempts at an operation whose request timed out: a registry that stayed silent for a whole timeout rarely
    /// answers the next moment, so one more try at most, which keeps a dead registry's failure within a minute.
    /// A single request is not retried on timeout at all; whole operations (a blob, an upload) are, once.
    /// </summary>
    public const int TimeoutAttempts = 2;

    public static RetryPolicy Default { get; } = new();
    public static RetryPolicy None { get; } = new() { MaxAttempts = 1 };

    /// <summary>The wait before attempt <paramref name="attempt"/>+1 after a response, or null to give up.</summary>
    public TimeSpan? AfterResponse(int attempt, HttpStatusCode status, TimeSpan? retryAfter)
    {
        if (attempt >= MaxAttempts || !RegistryException.IsTransientStatus(status)) return null;
        var backoff = Backoff(attempt);
        if (retryAfter is { } wait && wait > backoff) backoff = wait;
        return backoff > MaxDelay ? MaxDelay : backoff;
    }

    /// <summary>The wait before attempt <paramref name="attempt"/>+1 after a transport failure, or null to give up.</summary>
    public TimeSpan? AfterException(int attempt, Exception exception, bool cancelled)
    {
        if (cancelled || attempt >= MaxAttempts || !IsTransient(exception)) return null;
        return Backoff(attempt);
    }

    /// <summary>Connection reset or refused mid-way, a timeout, an early end of the response: worth another try.</summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        HttpRequestException { InnerException: System.Security.Authentication.AuthenticationException } => false,
        HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.ConfigurationLimitExceeded } => false,
        HttpRequestException => true,
        RegistryTimeoutException => false,
        TimeoutException or TaskCanceledException => true,
        IOException { InnerException: SocketException } => true,
        SocketException s => s.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.TimedOut or SocketError.ConnectionRefused,
        _ => false,
    };

    private TimeSpan Backoff(int attempt)
    {
        var ms = InitialDelay.TotalMilliseconds * Math.Pow(2, Math.Max(0, attempt - 1));
        return TimeSpan.FromMilliseconds(Math.Min(ms, MaxDelay.TotalMilliseconds));
    }

    /// <summary>Reads <c>Retry-After</c> as seconds or as an HTTP date.</summary>
    public static TimeSpan? RetryAfter(System.Net.Http.Headers.RetryConditionHeaderValue? header, DateTimeOffset now)
    {
        if (header is null) return null;
        if (header.Delta is { } delta) return delta;
        if (header.Date is { } date) return date > now ? date - now : TimeSpan.Zero;
        return null;
    }
}
