using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using Tabula.Oci;
using Tabula.Tests.Integration;
using Tabula.Tests.Integration.Support;

namespace Tabula.Tests.BuildKit;

/// <summary>
/// BuildKit's frontend/dockerfile/dockerfile_sbom_test.go: <c>--attest type=sbom,generator=IMAGE</c> (BuildKit's
/// <c>attest:sbom</c>), the scanner image built FROM the busybox fixture and pushed to a real registry, the scanned
/// image pushed there too and read back as BuildKit's test reads it (here through skopeo, which must accept the index).
/// </summary>
public sealed class SbomTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string ScanImageScript = """
        FROM busybox:latest
        COPY <<-"EOF" /scan.sh
        	set -e
        	cat <<BUNDLE > $BUILDKIT_SCAN_DESTINATION/spdx.json
        	{
        	  "_type": "https://in-toto.io/Statement/v1",
        	  "predicateType": "https://spdx.dev/Document",
        	  "predicate": {"name": "sbom-scan"}
        	}
        	BUNDLE
        EOF
        CMD sh /scan.sh
        """;

    private const string ScanArgsScript = """
        FROM busybox:latest
        COPY <<-"EOF" /scan.sh
        	set -e
        	cat <<BUNDLE > $BUILDKIT_SCAN_DESTINATION/spdx.json
        	{
        	  "_type": "https://in-toto.io/Statement/v1",
        	  "predicateType": "https://spdx.dev/Document",
        	  "predicate": {"name": "core"}
        	}
        	BUNDLE
        	if [ "${BUILDKIT_SCAN_SOURCE_EXTRAS}" ]; then
        		for src in "${BUILDKIT_SCAN_SOURCE_EXTRAS}"/*; do
        			cat <<BUNDLE > $BUILDKIT_SCAN_DESTINATION/$(basename $src).spdx.json
        			{
        			  "_type": "https://in-toto.io/Statement/v1",
        			  "predicateType": "https://spdx.dev/Document",
        			  "predicate": {"name": "extra"}
        			}
        			BUNDLE
        		done
        	fi
        EOF
        CMD sh /scan.sh
        """;

    [Fact]
    public async Task TestSBOMScannerImage()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        await using var registry = await RegistryServer.StartAsync(Ct);
        var scanner = $"{registry.Host}/buildkit/testsbomscanner:latest";
        await BuildAsync(fixture, ScanImageScript, scanner);

        var target = $"{registry.Host}/buildkit/testsbomscannertarget:latest";
        await BuildAsync(fixture, "FROM scratch\nCOPY <<EOF /foo\ndata\nEOF\n", target, "--attest", "type=sbom,generator=" + scanner);

        var images = await ReadImagesAsync(fixture, target);
        Assert.Equal(2, images.Count);
        var image = images.Find(Platform.Host);
        Assert.Equal("data\n", image.LayerFile(0, "foo"));
        var attestation = images.FindAttestation();
        var statement = Assert.Single(attestation.Layers);
        Assert.Equal("https://in-toto.io/Statement/v1", statement.GetProperty("_type").GetString());
        Assert.Equal("https://spdx.dev/Document", statement.GetProperty("predicateType").GetString());
        Assert.Equal("sbom-scan", statement.GetProperty("predicate").GetProperty("name").GetString());
    }

    [Fact]
    public async Task TestSBOMScannerArgs()
    {
        using var fixture = await RunFixture.CreateAsync(Ct);
        await using var registry = await RegistryServer.StartAsync(Ct);
        var scanner = $"{registry.Host}/buildkit/testsbomscannerargs:latest";
        await BuildAsync(fixture, ScanArgsScript, scanner);

        // scan an image with no additional sboms: build args that no ARG declares turn nothing on
        var target = $"{registry.Host}/buildkit/testsbomscannerargstarget1:latest";
        await BuildAsync(fixture, "FROM scratch as base\nCOPY <<EOF /foo\ndata\nEOF\nFROM base\n", target,
            "--attest", "type=sbom,generator=" + scanner, "--build-arg", "BUILDKIT_SBOM_SCAN_CONTEXT=true", "--build-arg", "BUILDKIT_SBOM_SCAN_STAGE=true");
        var images = await ReadImagesAsync(fixture, target);
        Assert.Equal(2, images.Count);
        images.Find(Platform.Host);
        var statement = Assert.Single(images.FindAttestation().Layers);
        Assert.Equal("core", statement.GetProperty("predicate").GetProperty("name").GetString());

        const string Dockerfile = """
            ARG BUILDKIT_SBOM_SCAN_CONTEXT=true

            FROM scratch as file
            ARG BUILDKIT_SBOM_SCAN_STAGE=true
            COPY <<EOF /file
            data
            EOF

            FROM scratch as base
            ARG BUILDKIT_SBOM_SCAN_STAGE=true
            COPY --from=file /file /foo

            FROM scratch as base2
            ARG BUILDKIT_SBOM_SCAN_STAGE=true
            COPY --from=file /file /bar
            RUN non-existent-command-would-fail

            FROM base
            ARG BUILDKIT_SBOM_SCAN_STAGE=true

            """;

        // scan an image with additional sboms: the context and the stages file and base (base2 is not built)
        target = $"{registry.Host}/buildkit/testsbomscannertarget2:latest";
        await BuildAsync(fixture, Dockerfile, target, "--attest", "type=sbom,generator=" + scanner);
        images = await ReadImagesAsync(fixture, target);
        Assert.Equal(2, images.Count);
        images.Find(Platform.Host);
        var layers = images.FindAttestation().Layers;
        Assert.Equal(4, layers.Count);
        var names = layers.Select(l => l.GetProperty("predicate").GetProperty("name").GetString()).ToList();
        Assert.Equal(1, names.Count(n => n == "core"));
        Assert.Equal(3, names.Count(n => n == "extra"));

        // scan an image with additional sboms, but disable them
        target = $"{registry.Host}/buildkit/testsbomscannertarget3:latest";
        await BuildAsync(fixture, Dockerfile, target,
            "--attest", "type=sbom,generator=" + scanner, "--build-arg", "BUILDKIT_SBOM_SCAN_STAGE=false", "--build-arg", "BUILDKIT_SBOM_SCAN_CONTEXT=false");
        images = await ReadImagesAsync(fixture, target);
        Assert.Equal(2, images.Count);
        images.Find(Platform.Host);
        Assert.Single(images.FindAttestation().Layers);
    }

    /// <summary>Builds the Dockerfile (busybox is the fixture) and pushes it as <paramref name="name"/>.</summary>
    private static async Task BuildAsync(RunFixture fixture, string dockerfile, string name, params string[] flags)
    {
        var context = fixture.Context("ctx-" + Guid.NewGuid().ToString("N"), dockerfile.Replace("FROM busybox:latest", "FROM " + RunFixture.BaseImage, StringComparison.Ordinal));
        var (code, output, error) = await fixture.TabulaAsync(Ct, ["build", "-q", "--push", "-t", name, .. flags, context]);
        Assert.True(code == 0, output + error);
    }

    /// <summary>BuildKit's testutil.ReadImages: the pushed index, copied whole by skopeo into an OCI layout, its manifests read.</summary>
    private static async Task<PushedImages> ReadImagesAsync(RunFixture fixture, string name)
    {
        var skopeo = Requirements.Tool("skopeo");
        var layout = fixture.Temp.Combine("read-" + Guid.NewGuid().ToString("N"));
        await ProcessRunner.RunCheckedAsync(skopeo, ["copy", "--all", "--src-tls-verify=false", $"docker://{name}", $"oci:{layout}"], Ct);
        return PushedImages.Read(layout);
    }

    private sealed record PushedImage(Descriptor Entry, ImageManifest Manifest, string Layout)
    {
        public List<JsonElement> Layers => Manifest.Layers.Select(l => JsonDocument.Parse(File.ReadAllBytes(Blob(Layout, l.Digest))).RootElement.Clone()).ToList();

        public string? LayerFile(int layer, string path)
        {
            using var tar = new TarReader(new GZipStream(File.OpenRead(Blob(Layout, Manifest.Layers[layer].Digest)), CompressionMode.Decompress));
            while (tar.GetNextEntry() is { } entry)
                if (entry.Name.TrimStart('/') == path) return new StreamReader(entry.DataStream!).ReadToEnd();
            return null;
        }
    }

    private sealed class PushedImages : List<PushedImage>
    {
        public static PushedImages Read(string layout)
        {
            var top = OciJson.DeserializeIndex(File.ReadAllBytes(Path.Combine(layout, "index.json")));
            var index = OciJson.DeserializeIndex(File.ReadAllBytes(Blob(layout, Assert.Single(top.Manifests).Digest)));
            var images = new PushedImages();
            images.AddRange(index.Manifests.Select(m => new PushedImage(m, OciJson.DeserializeManifest(File.ReadAllBytes(Blob(layout, m.Digest))), layout)));
            return images;
        }

        public PushedImage Find(Platform platform) => Assert.Single(this, i => i.Entry.Platform is { } p && p.Os == platform.Os && p.Architecture == platform.Architecture);

        /// <summary>The entry BuildKit lists as unknown/unknown, which must name the image it attests.</summary>
        public PushedImage FindAttestation()
        {
            var attestation = Assert.Single(this, i => i.Entry.Platform is { Os: "unknown", Architecture: "unknown" });
            Assert.Equal("attestation-manifest", attestation.Entry.Annotation("vnd.docker.reference.type"));
            Assert.Equal(Find(Platform.Host).Entry.Digest.ToString(), attestation.Entry.Annotation("vnd.docker.reference.digest"));
            Assert.All(attestation.Manifest.Layers, l => Assert.Equal("application/vnd.in-toto+json", l.MediaType));
            return attestation;
        }
    }

    private static string Blob(string layout, Digest digest) => Path.Combine(layout, "blobs", digest.Algorithm, digest.Encoded);
}
