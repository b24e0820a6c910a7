using Tabula.Oci;

namespace Tabula.Tests.Oci;

/// <summary>Platform strings as containerd's platforms.Parse + Normalize read them (BuildKit's --platform).</summary>
public class PlatformParseTests
{
    [Theory]
    [InlineData("linux/arm64/v8", "linux/arm64")]
    [InlineData("linux/arm64/v9", "linux/arm64/v9")]
    [InlineData("linux/arm/v7", "linux/arm/v7")]
    [InlineData("linux/arm/6", "linux/arm/v6")]
    [InlineData("linux/armhf", "linux/arm/v7")]
    [InlineData("linux/armel", "linux/arm/v6")]
    [InlineData("linux/x86-64", "linux/amd64")]
    [InlineData("linux/i386", "linux/386")]
    [InlineData("Linux/AMD64", "linux/amd64")]
    [InlineData("aarch64", "linux/arm64")]
    [InlineData("s390x", "linux/s390x")]
    [InlineData("macos/arm64", "darwin/arm64")]
    [InlineData("windows/amd64", "windows/amd64")]
    public void Normalises_as_containerd(string text, string expected) => Assert.Equal(expected, Platform.Parse(text).ToString());

    [Fact]
    public void A_bare_os_takes_this_machines_architecture() => Assert.Equal($"linux/{Platform.Host.Architecture}", Platform.Parse("linux").ToString());

    [Theory]
    [InlineData("bogus", "unknown operating system or architecture")]
    [InlineData("linux/amd64,linux", "'amd64,linux' is not a platform part")]
    [InlineData("linux/amd64/v2/x", "more parts than OS/ARCH/VARIANT")]
    [InlineData("linux//v7", "an empty part")]
    [InlineData("linux/arm64 ", null)]
    [InlineData("linux/*", "'*' is not a platform part")]
    public void Refuses_what_is_no_platform(string text, string? fault)
    {
        if (fault is null)
        {
            Assert.Equal("linux/arm64", Platform.Parse(text).ToString()); // surrounding space is trimmed
            return;
        }
        var error = Assert.Throws<FormatException>(() => Platform.Parse(text));
        Assert.Contains(fault, error.Message);
        Assert.Contains("e.g. linux/amd64", error.Message);
    }

    [Fact]
    public void Arm64_matches_an_index_entry_with_or_without_its_default_variant()
    {
        var arm64 = Platform.Parse("linux/arm64");
        Assert.True(arm64.Matches(new Platform { Os = "linux", Architecture = "arm64", Variant = "v8" }));
        Assert.True(arm64.Matches(new Platform { Os = "linux", Architecture = "arm64" }));
        Assert.False(arm64.Matches(new Platform { Os = "linux", Architecture = "amd64" }));
        Assert.True(Platform.Parse("linux/arm/v7").Matches(new Platform { Os = "linux", Architecture = "arm" }));
    }

    [Theory]
    [InlineData("windows(10.0.20348)/amd64", "windows", "10.0.20348", "windows(10.0.20348)/amd64")]
    [InlineData("windows(1.2.3)/bar", "windows", "1.2.3", "windows(1.2.3)/bar")]
    [InlineData("windows(10.0.17763)", "windows", "10.0.17763", null)]
    public void An_os_version_in_parentheses_is_kept_and_written_as_containerd_formats_it(string text, string os, string version, string? formatted)
    {
        var platform = Platform.Parse(text);
        Assert.Equal(os, platform.Os);
        Assert.Equal(version, platform.OsVersion);
        if (formatted is not null) Assert.Equal(formatted, platform.ToString());
    }

    [Theory]
    [InlineData("windows()/amd64")]
    [InlineData("windows(1 2)/amd64")]
    [InlineData("(1.2)/amd64")]
    public void A_malformed_os_version_is_refused(string text) => Assert.Throws<FormatException>(() => Platform.Parse(text));

    [Fact]
    public void An_asked_os_version_matches_only_images_of_that_version_or_none()
    {
        var wanted = Platform.Parse("windows(1.2.3)/amd64");
        Assert.True(wanted.Matches(Platform.Parse("windows(1.2.3)/amd64")));
        Assert.True(wanted.Matches(Platform.Parse("windows/amd64")));
        Assert.False(wanted.Matches(Platform.Parse("windows(1.1.0)/amd64")));
        Assert.True(Platform.Parse("windows/amd64").Matches(Platform.Parse("windows(1.1.0)/amd64")));
    }
}
