namespace Tabula.Dockerfile.Instructions;

/// <summary>
/// The image config's Healthcheck: <paramref name="Test"/> is <c>["NONE"]</c>,
/// <c>["CMD", args…]</c> (exec form) or <c>["CMD-SHELL", command]</c>; zero durations mean "inherit".
/// </summary>
internal sealed record HealthcheckConfig(
    IReadOnlyList<string> Test,
    GoDuration Interval,
    GoDuration Timeout,
    GoDuration StartPeriod,
    GoDuration StartInterval,
    int Retries);
