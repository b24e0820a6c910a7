using Tabula.IO;

namespace Tabula.Tests.IO;

public sealed class OpenSslTests
{
    private static readonly Func<string, string?> NoVariables = _ => null;

    [Fact]
    public void The_newest_library_that_loads_is_found_and_the_search_stops_there()
    {
        var tried = new List<string>();
        var found = OpenSsl.Find(name => { tried.Add(name); return name is "libssl.so.1.1" or "libssl.so.1.0.0"; }, NoVariables);

        Assert.Equal("libssl.so.1.1", found);
        Assert.Equal(["libssl.so.3", "libssl.so.1.1"], tried);
    }

    [Fact]
    public void The_runtime_s_version_override_is_tried_first()
    {
        var tried = new List<string>();
        var found = OpenSsl.Find(name => { tried.Add(name); return name == "libssl.so.3"; }, v => v == OpenSsl.VersionOverrideVariable ? "1.1.1w" : null);

        Assert.Equal("libssl.so.3", found);
        Assert.Equal(["libssl.so.1.1.1w", "libssl.so.3"], tried);
    }

    [Fact]
    public void No_library_is_a_typed_error_that_says_what_to_install()
    {
        var tried = new List<string>();
        var error = Assert.Throws<OpenSslMissingException>(() => OpenSsl.EnsureAvailable(name => { tried.Add(name); return false; }, NoVariables));

        Assert.Equal(OpenSsl.Sonames, tried);
        Assert.Contains("libssl3", error.Message);
        Assert.Contains("apt-get install libssl3", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void This_machine_has_one_and_loading_it_for_real_works()
    {
        // The test process hashes with OpenSSL already; the real loader must find it too.
        var error = Record.Exception(OpenSsl.EnsureAvailable);
        Assert.Null(error);
    }
}
