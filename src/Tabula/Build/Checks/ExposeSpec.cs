namespace Tabula.Build.Checks;

/// <summary>BuildKit's reading of an EXPOSE word <c>[ip:][hostPort:]containerPort[/proto]</c>, as far as the checks need it.</summary>
internal readonly record struct ExposeSpec(string Ip, string HostPort, string Protocol)
{
    public static ExposeSpec Parse(string raw)
    {
        var parts = raw.Split(':');
        var (ip, host, container) = parts.Length switch
        {
            1 => ("", "", parts[0]),
            2 => ("", parts[0], parts[1]),
            _ => (string.Join(':', parts[..^2]), parts[^2], parts[^1]),
        };
        var slash = container.IndexOf('/');
        return new ExposeSpec(ip, host, slash < 0 ? "tcp" : container[(slash + 1)..]);
    }
}
