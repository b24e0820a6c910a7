using Tabula.Build.SharedCache;
using Tabula.Cli;
using Tabula.Cli.Build;

namespace Tabula.Tests.Cli.Build;

/// <summary><c>--cache-from</c> and <c>--cache-to</c> read with buildx's syntax; unlike buildx, an export warns by default.</summary>
public class CacheFlagParsingTests
{
    [Fact]
    public void Registry_and_local_forms_read_as_buildx_writes_them()
    {
        var from = Assert.IsType<RegistryCacheLocation>(CacheFlagParsing.From("type=registry,ref=reg.example:5000/team/app:cache"));
        Assert.Equal("reg.example:5000/team/app:cache", from.Reference.ToString());
        Assert.Equal(from, CacheFlagParsing.From("reg.example:5000/team/app:cache"));
        var local = Assert.IsType<LocalCacheLocation>(CacheFlagParsing.From("type=local,src=/tmp/c,tag=ci"));
        Assert.Equal(("/tmp/c", "ci"), (local.Directory, local.Tag));

        var to = CacheFlagParsing.To("type=registry,ref=reg.example/app:cache,mode=max,ignore-error=false,image-manifest=true,oci-mediatypes=true");
        Assert.Equal((CacheMode.Max, false), (to.Mode, to.IgnoreError));
        var defaults = CacheFlagParsing.To("type=local,dest=/tmp/c");
        Assert.Equal((CacheMode.Min, true, LocalCacheLocation.DefaultTag), (defaults.Mode, defaults.IgnoreError, ((LocalCacheLocation)defaults.Location).Tag));
    }

    [Fact]
    public void Mounts_names_cache_mount_ids_unquoted_quoted_or_repeated_and_star_names_all()
    {
        Assert.Empty(CacheFlagParsing.To("type=local,dest=/c").Mounts);
        var unquoted = CacheFlagParsing.To("type=registry,ref=reg.example/app:cache,mounts=dl,pip,mode=max");
        Assert.Equal(["dl", "pip"], unquoted.Mounts);
        Assert.Equal(CacheMode.Max, unquoted.Mode);
        Assert.Equal(["dl", "pip", "go"], CacheFlagParsing.To("type=local,\"mounts=dl,pip\",dest=/c,mounts=go").Mounts);
        var all = CacheFlagParsing.To("type=local,dest=/c,mounts=*");
        Assert.True(all.CarriesMount("anything"));
        Assert.False(unquoted.CarriesMount("go"));
        var e = Assert.Throws<UsageException>(() => CacheFlagParsing.To("type=local,dest=/c,mounts=*,dl"));
        Assert.Contains("mounts=* already names every cache mount", e.Message);
    }

    [Theory]
    [InlineData("type=gha", "type=gha is not one tabula has")]
    [InlineData("type=registry", "type=registry needs ref=")]
    [InlineData("type=local,src=/tmp/c", "'src' is not an attribute")]
    [InlineData("type=local", "type=local needs dest=DIR")]
    [InlineData("type=local,dest=/c,mode=all", "mode=all: use min or max")]
    [InlineData("type=local,dest=/c,ignore-error=maybe", "ignore-error=maybe is not true or false")]
    [InlineData("ref=r/app", "give type=registry,ref=REF or type=local,dest=DIR")]
    public void A_bad_cache_to_is_a_usage_error_that_says_why(string text, string why)
    {
        var e = Assert.Throws<UsageException>(() => CacheFlagParsing.To(text));
        Assert.Contains(why, e.Message);
        Assert.StartsWith($"invalid --cache-to '{text}'", e.Message);
    }
}
