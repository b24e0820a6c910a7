using System.Net;
using System.Net.Sockets;
using Tabula.Registry;

namespace Tabula.Tests.Registry;

public class RetryPolicyTests
{
    private static readonly RetryPolicy Policy = new() { MaxAttempts = 4, InitialDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(5) };

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    public void ServerErrorsAndThrottlingAreRetried(HttpStatusCode status) => Assert.NotNull(Policy.AfterResponse(1, status, null));

    [Theory]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.Forbidden)]
    [InlineData(HttpStatusCode.NotFound)]
    public void ClientErrorsAreFinal(HttpStatusCode status) => Assert.Null(Policy.AfterResponse(1, status, null));

    [Theory]
    [InlineData(HttpStatusCode.OK)]
    [InlineData(HttpStatusCode.Created)]
    public void SuccessIsNotRetried(HttpStatusCode status) => Assert.Null(Policy.AfterResponse(1, status, null));

    [Fact]
    public void BackoffGrowsAndIsBoundedInTimeAndAttempts()
    {
        var first = Policy.AfterResponse(1, HttpStatusCode.ServiceUnavailable, null)!.Value;
        var second = Policy.AfterResponse(2, HttpStatusCode.ServiceUnavailable, null)!.Value;
        Assert.True(second > first);
        Assert.Null(Policy.AfterResponse(4, HttpStatusCode.ServiceUnavailable, null));
        Assert.Equal(TimeSpan.FromSeconds(5), Policy.AfterResponse(1, HttpStatusCode.TooManyRequests, TimeSpan.FromHours(1)));
    }

    [Fact]
    public void RetryAfterIsHonouredUpToTheCap()
    {
        Assert.Equal(TimeSpan.FromSeconds(3), Policy.AfterResponse(1, HttpStatusCode.TooManyRequests, TimeSpan.FromSeconds(3)));
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(TimeSpan.FromSeconds(2), RetryPolicy.RetryAfter(new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(2)), now));
        Assert.Equal(TimeSpan.FromSeconds(30), RetryPolicy.RetryAfter(new System.Net.Http.Headers.RetryConditionHeaderValue(now.AddSeconds(30)), now));
    }

    [Fact]
    public void BrokenConnectionsAreRetriedButTlsFailuresAndCancellationAreNot()
    {
        Assert.NotNull(Policy.AfterException(1, new HttpRequestException("reset", new IOException("reset", new SocketException((int)SocketError.ConnectionReset))), false));
        Assert.NotNull(Policy.AfterException(1, new IOException("x", new SocketException((int)SocketError.ConnectionReset)), false));
        Assert.Null(Policy.AfterException(1, new HttpRequestException("tls", new System.Security.Authentication.AuthenticationException("bad cert")), false));
        Assert.Null(Policy.AfterException(1, new HttpRequestException("reset"), cancelled: true));
        Assert.Null(Policy.AfterException(1, new InvalidDataException("bad json"), false));
        Assert.Null(Policy.AfterException(4, new HttpRequestException("reset"), false));
    }
}
