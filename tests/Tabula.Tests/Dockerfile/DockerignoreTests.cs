using Tabula.Dockerfile.Ignore;

namespace Tabula.Tests.Dockerfile;

public sealed class DockerignoreTests
{
    private static DockerignoreMatcher Matcher(params string[] lines) => DockerignoreMatcher.Parse(string.Join("\n", lines));

    [Fact]
    public void Reading_strips_comments_blanks_slashes_and_cleans_paths()
    {
        var patterns = DockerignoreFile.Parse("\uFEFF# comment\n  \n/abs/path\n./rel//x/../y\r\n ! /neg \n!\n  # not a comment\ndir/\n/\n");

        Assert.Equal(["abs/path", "rel/y", "!neg", "!", "# not a comment", "dir", "/"], patterns);
    }

    [Fact]
    public void Lone_exclamation_mark_is_rejected() =>
        Assert.Throws<FormatException>(() => Matcher("!"));

    [Theory]
    [InlineData("[")]
    [InlineData("a[]")]
    [InlineData("[z-a]")]
    [InlineData("a\\")]
    public void Malformed_patterns_are_rejected(string pattern) => Assert.Throws<FormatException>(() => Matcher(pattern));

    [Theory]
    [InlineData("*.md", "README.md", true)]
    [InlineData("*.md", "docs/README.md", false)]
    [InlineData("*/*.md", "docs/README.md", true)]
    [InlineData("**/*.md", "README.md", true)]
    [InlineData("**/*.md", "a/b/c/README.md", true)]
    [InlineData("**/node_modules", "node_modules", true)]
    [InlineData("**/node_modules", "web/app/node_modules", true)]
    [InlineData("**/node_modules", "web/app/node_modules/x/index.js", true)]
    [InlineData("build/**", "build", false)]
    [InlineData("build/**", "build/out/app", true)]
    [InlineData("a/**/z", "a/z", true)]
    [InlineData("a/**/z", "a/b/c/z", true)]
    [InlineData("a/**/z", "ab/z", false)]
    [InlineData("**", "anything/at/all", true)]
    [InlineData("?.txt", "a.txt", true)]
    [InlineData("?.txt", "ab.txt", false)]
    [InlineData("[a-c].txt", "b.txt", true)]
    [InlineData("[^a-c].txt", "b.txt", false)]
    [InlineData("file.(1)+", "file.(1)+", true)]
    [InlineData("\\*.txt", "*.txt", true)]
    [InlineData("\\*.txt", "a.txt", false)]
    [InlineData("tmp", "tmp/cache/file", true)]
    [InlineData("tmp", "src/tmp", false)]
    [InlineData("/tmp/", "tmp/file", true)]
    [InlineData("./tmp", "tmp", true)]
    [InlineData("a/../b", "b/x", true)]
    public void Single_pattern(string pattern, string path, bool ignored) =>
        Assert.Equal(ignored, Matcher(pattern).IsIgnored(path));

    [Fact]
    public void The_last_matching_pattern_wins()
    {
        var matcher = Matcher("*.md", "!README.md", "README*");

        Assert.True(matcher.IsIgnored("CHANGES.md"));
        Assert.True(matcher.IsIgnored("README.md"));
    }

    [Fact]
    public void Exclusion_re_includes_a_file_inside_an_ignored_directory()
    {
        var matcher = Matcher("docs", "!docs/keep.md");

        Assert.True(matcher.IsIgnored("docs"));
        Assert.True(matcher.IsIgnored("docs/other.md"));
        Assert.False(matcher.IsIgnored("docs/keep.md"));
        Assert.False(matcher.CanSkipDirectory("docs"));
    }

    [Fact]
    public void Debian_artifact_style_ignore_everything_but_one_file()
    {
        var matcher = Matcher("**", "!oci/blobs/rootfs.tar.gz");

        Assert.True(matcher.IsIgnored("Dockerfile"));
        Assert.True(matcher.IsIgnored("oci/index.json"));
        Assert.False(matcher.IsIgnored("oci/blobs/rootfs.tar.gz"));
        Assert.True(matcher.IsIgnored("oci"));
        Assert.False(matcher.CanSkipDirectory("oci"));
        Assert.False(matcher.CanSkipDirectory("oci/blobs"));
        Assert.True(matcher.CanSkipDirectory("other"));
        Assert.True(matcher.CanSkipDirectory("oci/other"));
    }

    [Fact]
    public void A_later_include_pattern_ignores_a_re_included_path_again()
    {
        var matcher = Matcher("logs", "!logs/important", "logs/important/*.tmp");

        Assert.False(matcher.IsIgnored("logs/important/a.log"));
        Assert.True(matcher.IsIgnored("logs/important/a.tmp"));
        Assert.True(matcher.IsIgnored("logs/debug.log"));
    }

    [Fact]
    public void Exclusion_with_wildcards_means_directories_are_always_walked()
    {
        var matcher = Matcher("vendor", "!vendor/**/*.go");

        Assert.True(matcher.IsIgnored("vendor/x/README"));
        Assert.False(matcher.IsIgnored("vendor/x/y/main.go"));
        Assert.False(matcher.CanSkipDirectory("vendor"));
    }

    [Fact]
    public void Ignored_directory_without_exclusions_can_be_skipped()
    {
        var matcher = Matcher(".git", "node_modules/");

        Assert.True(matcher.CanSkipDirectory(".git"));
        Assert.True(matcher.CanSkipDirectory("node_modules"));
        Assert.False(matcher.CanSkipDirectory("src"));
        Assert.False(matcher.IsIgnored("."));
        Assert.False(matcher.IsIgnored("/"));
        Assert.True(matcher.IsIgnored("/.git/config"));
    }

    [Fact]
    public void Exclusion_patterns_only_matter_after_something_was_ignored()
    {
        var matcher = Matcher("!keep", "*");

        Assert.True(matcher.IsIgnored("keep"));
        Assert.False(DockerignoreMatcher.None.IsIgnored("anything"));
    }

    [Fact]
    public void Dockerfile_specific_ignore_file_wins_over_the_context_one()
    {
        var root = Directory.CreateTempSubdirectory("tabula-dockerignore-");
        try
        {
            var context = Directory.CreateDirectory(Path.Combine(root.FullName, "context")).FullName;
            var dockerfiles = Directory.CreateDirectory(Path.Combine(root.FullName, "dockerfiles")).FullName;
            var dockerfile = Path.Combine(dockerfiles, "app.Dockerfile");
            File.WriteAllText(dockerfile, "FROM scratch\n");

            Assert.Null(DockerignoreLocator.Find(context, dockerfile));
            Assert.Same(DockerignoreMatcher.None, DockerignoreLocator.Load(context, dockerfile));

            File.WriteAllText(Path.Combine(context, ".dockerignore"), "*.log\n");
            Assert.Equal(Path.Combine(context, ".dockerignore"), DockerignoreLocator.Find(context, dockerfile));

            File.WriteAllText(dockerfile + ".dockerignore", "*.tmp\n");
            Assert.Equal(dockerfile + ".dockerignore", DockerignoreLocator.Find(context, dockerfile));
            var matcher = DockerignoreLocator.Load(context, dockerfile);
            Assert.True(matcher.IsIgnored("a.tmp"));
            Assert.False(matcher.IsIgnored("a.log"));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
