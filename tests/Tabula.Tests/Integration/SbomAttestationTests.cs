using System.Text.Json;
using Tabula.Oci;
using Tabula.Transports;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.Integration;

/// <summary>
/// <c>build --attest type=sbom</c> with tabula's own generator: the index holds the image and its attestation manifest
/// (BuildKit's layout), and every reader that picks by platform — <c>tabula run</c>, <c>docker load</c> + <c>docker
/// run</c>, skopeo, oci-image-tool — takes the image, never the attestation.
/// </summary>
public sealed class SbomAttestationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Dockerfile => $"FROM {RunFixture.BaseImage}\nRUN echo hi > /hi\n";

    [Fact]
    public async Task The_store_holds_the_image_and_an_spdx_statement_about_it_and_run_takes_the_image()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        await fixture.BuildAsync(fixture.Context("own", Dockerfile), "attested:1", Ct, "--attest", "type=sbom");

        var store = ImageStore.Open(fixture.Store);
        var stored = await store.Resolver.ResolveAsync("attested:1", Ct);
        var index = OciJson.DeserializeIndex(await store.Content.ReadAllBytesAsync(stored.Manifest.Digest, Ct));
        Assert.Equal(2, index.Manifests.Count);
        var image = index.Manifests[0];
        Assert.Equal(Platform.Host.Architecture, image.Platform?.Architecture);
        var attestation = index.Manifests[1];
        Assert.Equal(new Platform { Os = "unknown", Architecture = "unknown" }, attestation.Platform);
        Assert.Equal("attestation-manifest", attestation.Annotation("vnd.docker.reference.type"));
        Assert.Equal(image.Digest.ToString(), attestation.Annotation("vnd.docker.reference.digest"));

        var manifest = OciJson.DeserializeManifest(await store.Content.ReadAllBytesAsync(attestation.Digest, Ct));
        var layer = Assert.Single(manifest.Layers);
        Assert.Equal("application/vnd.in-toto+json", layer.MediaType);
        Assert.Equal("https://spdx.dev/Document", layer.Annotation("in-toto.io/predicate-type"));
        using var statement = JsonDocument.Parse(await store.Content.ReadAllBytesAsync(layer.Digest, Ct));
        var root = statement.RootElement;
        Assert.Equal("https://in-toto.io/Statement/v1", root.GetProperty("_type").GetString());
        var subject = Assert.Single(root.GetProperty("subject").EnumerateArray().ToList());
        Assert.Equal($"pkg:docker/attested@1?platform=linux%2F{Platform.Host.Architecture}", subject.GetProperty("name").GetString());
        Assert.Equal(image.Digest.Encoded, subject.GetProperty("digest").GetProperty("sha256").GetString());
        Assert.Equal("SPDX-2.3", root.GetProperty("predicate").GetProperty("spdxVersion").GetString());
        Assert.Equal("docker.io/library/attested:1", root.GetProperty("predicate").GetProperty("name").GetString());

        Assert.Equal("hi\n", await fixture.CatAsync("attested:1", "/hi", Ct));
    }

    [Fact]
    public async Task The_docker_archive_loads_and_docker_runs_the_image()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        await using var docker = await Docker.ConnectAsync(Ct);
        var tag = docker.NewTag("attested");
        var archive = fixture.Temp.Combine("attested-docker.tar");
        await fixture.BuildAsync(fixture.Context("docker", Dockerfile), tag, Ct, "--attest", "type=sbom", "-o", $"type=docker,dest={archive}");
        var loaded = await docker.LoadAsync(archive, Ct);
        foreach (var name in loaded) docker.Own(name);
        var run = await docker.RunAsync(tag, ["cat", "/hi"], Ct);
        Assert.True(run.ExitCode == 0, run.StandardError);
        Assert.Equal("hi\n", run.StandardOutput);
    }

    [Fact]
    public async Task The_oci_archive_validates_but_for_the_statement_layer_and_skopeo_reads_the_image()
    {
        var validator = Requirements.Tool("oci-image-tool");
        var skopeo = Requirements.Tool("skopeo");
        using var fixture = await RunFixture.CreateAsync(Ct);
        var archive = fixture.Temp.Combine("attested-oci.tar");
        await fixture.BuildAsync(fixture.Context("oci", Dockerfile), "example.com/team/attested:1", Ct, "--attest", "type=sbom", "-o", $"type=oci,dest={archive}");
        var unpacked = fixture.Temp.CreateDirectory("unpacked");
        await ProcessRunner.RunCheckedAsync(Requirements.Tool("tar"), ["-C", unpacked, "-xf", archive], Ct);
        // oci-image-tool 1.0 knows only tar layer media types, so it refuses any attestation manifest (BuildKit's too);
        // OCI 1.1 allows any. Everything else of the layout, the image included, must pass: its one error is that layer.
        var validation = await ProcessRunner.RunAsync(validator, ["validate", "--type", "image", "--ref", "name=1", unpacked], Ct);
        Assert.Contains("1 errors detected", validation.StandardError);
        Assert.Contains("invalid descriptor MediaType \\\"application/vnd.in-toto+json\\\"", validation.StandardError);
        var config = (await ProcessRunner.RunCheckedAsync(skopeo, ["inspect", "--config", $"oci-archive:{archive}:1"], Ct)).StandardOutput;
        using var json = JsonDocument.Parse(config);
        Assert.Equal(Platform.Host.Architecture, json.RootElement.GetProperty("architecture").GetString());
        Assert.Equal("linux", json.RootElement.GetProperty("os").GetString());
    }

    /// <summary>
    /// A generator from the store (nothing pulled) sees the context as .dockerignore leaves it, read-only, and the
    /// attest's other attributes as BUILDKIT_SCAN_KEY.
    /// </summary>
    [Fact]
    public async Task A_generator_sees_the_context_without_its_ignored_files_read_only_and_the_attest_parameters()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        const string Scanner = """
            COPY <<-"EOF" /scan.sh
            	set -e
            	files=$(ls "$BUILDKIT_SCAN_SOURCE_EXTRAS/sbom-context" | tr '\n' ' ')
            	if touch "$BUILDKIT_SCAN_SOURCE_EXTRAS/sbom-context/new" 2>/dev/null; then writable=yes; else writable=no; fi
            	cat <<BUNDLE > $BUILDKIT_SCAN_DESTINATION/sbom.spdx.json
            	{"_type": "https://in-toto.io/Statement/v1", "predicateType": "https://spdx.dev/Document",
            	 "predicate": {"context": "$files", "writable": "$writable", "mode": "$BUILDKIT_SCAN_mode"}}
            	BUNDLE
            EOF
            CMD sh /scan.sh
            """;
        await fixture.BuildAsync(fixture.Context("scanner", $"FROM {RunFixture.BaseImage}\n{Scanner}\n"), "scanner:1", Ct);
        var context = fixture.Context("scanned", "ARG BUILDKIT_SBOM_SCAN_CONTEXT=true\nFROM scratch\nCOPY kept.txt /\n",
            (".dockerignore", "secret.txt\n"), ("kept.txt", "k"), ("secret.txt", "s"));
        await fixture.BuildAsync(context, "scanned:1", Ct, "--attest", "type=sbom,generator=scanner:1,mode=deep");

        var store = ImageStore.Open(fixture.Store);
        var stored = await store.Resolver.ResolveAsync("scanned:1", Ct);
        var index = OciJson.DeserializeIndex(await store.Content.ReadAllBytesAsync(stored.Manifest.Digest, Ct));
        var manifest = OciJson.DeserializeManifest(await store.Content.ReadAllBytesAsync(index.Manifests[1].Digest, Ct));
        using var statement = JsonDocument.Parse(await store.Content.ReadAllBytesAsync(Assert.Single(manifest.Layers).Digest, Ct));
        var predicate = statement.RootElement.GetProperty("predicate");
        Assert.Equal("Dockerfile kept.txt ", predicate.GetProperty("context").GetString());
        Assert.Equal("no", predicate.GetProperty("writable").GetString());
        Assert.Equal("deep", predicate.GetProperty("mode").GetString());
        Assert.False(File.Exists(Path.Combine(context, "new")));
    }
}
