using System.Text.Json;
using Tabula.Tests.Integration.Support;
using Tabula.Tests.Sbom;

namespace Tabula.Tests.Integration;

/// <summary>
/// The SBOM of the Debian fixture against what dpkg itself says inside the image (<c>dpkg-query -W</c> through
/// <c>tabula run</c>), both formats against their official schemas; then attached on push to the real registry
/// (Debian's distribution 2.8 has no referrers API, so through the fallback tag, read back with skopeo) and found
/// again with <c>sbom --from-registry</c>.
/// </summary>
public sealed class SbomDebianRegistryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_debian_sbom_lists_what_dpkg_query_lists_validates_and_is_attached_through_the_fallback_tag()
    {
        Requirements.Root();
        Requirements.Tool("runc");
        var skopeo = Requirements.Tool("skopeo");
        var rootfs = DebianBase.Rootfs();
        await using var registry = await RegistryServer.StartAsync(Ct);
        using var temp = new TempDir("sbom-debian");
        using var cli = new RegistryCliSession();
        var context = temp.CreateDirectory("context");
        File.Copy(rootfs, Path.Combine(context, "rootfs.tgz"));
        await File.WriteAllTextAsync(Path.Combine(context, "Dockerfile"), ScratchContext.Dockerfile("rootfs.tgz"), Ct);
        await cli.RunCheckedAsync("build", "-q", "-t", "sbom-debian:1", context);

        var dpkg = await cli.RunCheckedAsync("run", "--rm", "--network", "none", "sbom-debian:1", "dpkg-query", "-W", "-f", "${Package}\t${Version}\t${Architecture}\n");
        var expected = dpkg.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToList();
        Assert.True(expected.Count > 50, $"dpkg-query listed only {expected.Count} packages:\n{dpkg}");

        var spdx = await cli.RunCheckedAsync("sbom", "sbom-debian:1");
        using (var doc = JsonDocument.Parse(spdx))
        {
            var listed = doc.RootElement.GetProperty("packages").EnumerateArray()
                .Where(p => p.TryGetProperty("externalRefs", out _))
                .Select(p => $"{p.GetProperty("name").GetString()}\t{p.GetProperty("versionInfo").GetString()}\t{Arch(p)}").Order(StringComparer.Ordinal).ToList();
            Assert.Equal(expected, listed);
        }
        SbomSchemas.AssertValid("spdx-2.3.schema.json", spdx);
        var cyclonedx = await cli.RunCheckedAsync("sbom", "--format", "cyclonedx-json", "sbom-debian:1");
        using (var bom = JsonDocument.Parse(cyclonedx))
            Assert.Equal(expected.Count, bom.RootElement.GetProperty("components").EnumerateArray().Count(c => c.GetProperty("type").GetString() == "library"));
        SbomSchemas.AssertValid("bom-1.6.schema.json", cyclonedx);

        // Attach on push: the registry answers without OCI-Subject, so the fallback tag sha256-HEX lists the artifact.
        var target = $"{registry.Host}/sbom/debian:1";
        var pushed = await cli.RunCheckedAsync("push", "--sbom", "sbom-debian:1", target);
        var imageManifest = JsonDocument.Parse(await ProcessRunner.RunCheckedAsync(skopeo, ["inspect", "--tls-verify=false", "--raw", $"docker://{target}"], Ct) is var m ? m.StandardOutput : "");
        var digest = (await ProcessRunner.RunCheckedAsync(skopeo, ["inspect", "--tls-verify=false", "--format", "{{.Digest}}", $"docker://{target}"], Ct)).StandardOutput.Trim();
        Assert.Contains("sbom: spdx-json attached to " + digest, pushed);
        var fallback = await ProcessRunner.RunCheckedAsync(skopeo, ["inspect", "--tls-verify=false", "--raw", $"docker://{registry.Host}/sbom/debian:{digest.Replace(':', '-')}"], Ct);
        using var index = JsonDocument.Parse(fallback.StandardOutput);
        Assert.Equal("application/vnd.oci.image.index.v1+json", index.RootElement.GetProperty("mediaType").GetString());
        var entry = Assert.Single(index.RootElement.GetProperty("manifests").EnumerateArray());
        Assert.Equal("application/spdx+json", entry.GetProperty("artifactType").GetString());
        var artifactDigest = entry.GetProperty("digest").GetString();
        var artifact = await ProcessRunner.RunCheckedAsync(skopeo, ["inspect", "--tls-verify=false", "--raw", $"docker://{registry.Host}/sbom/debian@{artifactDigest}"], Ct);
        using var artifactManifest = JsonDocument.Parse(artifact.StandardOutput);
        Assert.Equal("application/spdx+json", artifactManifest.RootElement.GetProperty("artifactType").GetString());
        Assert.Equal("application/vnd.oci.empty.v1+json", artifactManifest.RootElement.GetProperty("config").GetProperty("mediaType").GetString());
        Assert.Equal(digest, artifactManifest.RootElement.GetProperty("subject").GetProperty("digest").GetString());
        imageManifest.Dispose();

        // Found again: the very bytes pushed, which are the SBOM of the image under the push's destination name.
        var fromRegistry = await cli.RunCheckedAsync("sbom", "--from-registry", target);
        await cli.RunCheckedAsync("tag", "sbom-debian:1", target);
        Assert.Equal(await cli.RunCheckedAsync("sbom", target), fromRegistry);
        SbomSchemas.AssertValid("spdx-2.3.schema.json", fromRegistry);
    }

    /// <summary><c>build --sbom --push</c>: the SBOM made after the build is the one attached (in CycloneDX as asked); without --push it is a usage error.</summary>
    [Fact]
    public async Task Build_with_sbom_and_push_attaches_the_builds_sbom()
    {
        await using var registry = await RegistryServer.StartAsync(Ct);
        using var temp = new TempDir("sbom-build");
        using var cli = new RegistryCliSession();
        var rootfs = await BusyboxRootfs.CreateAsync(temp.Combine("rootfs"), Ct);
        var context = await ScratchContext.CreateAsync(temp.Combine("context"), rootfs, TarCompression.Gzip, Ct);
        var target = $"{registry.Host}/sbom/built:1";

        var (code, _, error) = await cli.RunAsync("build", "-q", "--sbom", "-t", target, context);
        Assert.Equal(2, code);
        Assert.Contains("add --push", error);

        await cli.RunCheckedAsync("build", "-q", "--sbom", "--sbom-format", "cyclonedx-json", "--push", "-t", target, context);
        var attached = await cli.RunCheckedAsync("sbom", "--from-registry", "--format", "cyclonedx-json", target);
        Assert.Equal(await cli.RunCheckedAsync("sbom", "--format", "cyclonedx-json", target), attached);
        SbomSchemas.AssertValid("bom-1.6.schema.json", attached);
        var (missing, _, missingError) = await cli.RunAsync("sbom", "--from-registry", "--format", "spdx-json", target);
        Assert.Equal(1, missing);
        Assert.Contains("no SBOM in spdx-json is attached", missingError);
    }

    private static string Arch(JsonElement package)
    {
        var purl = package.GetProperty("externalRefs")[0].GetProperty("referenceLocator").GetString()!;
        var arch = purl[(purl.IndexOf("arch=", StringComparison.Ordinal) + 5)..];
        return arch[..arch.IndexOf('&', StringComparison.Ordinal)];
    }
}
