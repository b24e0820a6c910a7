using System.Formats.Tar;
using Tabula.Tests.Build;

namespace Tabula.Tests.BuildKit;

/// <summary>BuildKit's <c>frontend/dockerfile/exclude_patterns_test.go</c>.</summary>
public sealed class ExcludePatternsTests
{
    /// <summary>The final stage of both Dockerfiles: every builder's result side by side.</summary>
    private const string Gather = """
        FROM scratch
        COPY --from=builder1 / /builder1
        COPY --from=builder2 / /builder2
        COPY --from=builder3 / /builder3
        COPY --from=builder4 / /builder4
        COPY --from=builder5 / /builder5
        COPY --from=builder6 / /builder6
        """;

    private const string FromContext = """
        # ignore all the image files
        FROM scratch as builder1
        COPY --exclude=*/*.png --exclude=*/*.jpeg . /1
        # ignore all document files
        FROM scratch as builder2
        COPY --exclude=*/*.pdf --exclude=*/*.txt . /2
        # ignore all mp3 files
        FROM scratch as builder3
        ADD --exclude=*.mp3 dir3/ /3/
        # Ignore everything, keeping only .mpeg files, using src as a wildcard.
        FROM scratch as builder4
        COPY --exclude=*.mp3 --exclude=*.jpeg --exclude=*.png --exclude=*.pdf --exclude=*.txt dir* /4/
        # Ignore everything, keeping only txt files.
        FROM scratch as builder5
        ADD --exclude=*.mp* --exclude=*.jpeg --exclude=*.png --exclude=*.pdf dir* /5
        # Exclude all files.
        FROM scratch as builder6
        ADD --exclude=* dir* /6

        """ + Gather;

    /// <summary>
    /// BuildKit's second half reads the same files from a git repository (<c>ADD git-url</c>, which Tabula does not
    /// have); here a first stage holds them instead, so the <c>COPY --from</c> half of the test is the same.
    /// </summary>
    private const string FromStage = """
        FROM scratch AS base
        COPY . /
        FROM scratch as builder1
        COPY --from=base --exclude=*/*.png --exclude=*/*.jpeg . /1
        FROM scratch as builder2
        COPY --from=base --exclude=*/*.pdf --exclude=*/*.txt . /2
        FROM scratch as builder3
        COPY --from=base --exclude=*.mp3 dir3/ /3/
        FROM scratch as builder4
        COPY --from=base --exclude=*.mp3 --exclude=*.jpeg --exclude=*.png --exclude=*.pdf --exclude=*.txt dir* /4/
        FROM scratch as builder5
        COPY --from=base --exclude=*.mp* --exclude=*.jpeg --exclude=*.png --exclude=*.pdf dir* /5
        FROM scratch as builder6
        COPY --from=base --exclude=* dir* /6

        """ + Gather;

    private static readonly (string File, string? Content)[] Expected =
    [
        ("builder1/1/dir1/file-101.png", null),
        ("builder1/1/dir1/file-102.txt", "3"),
        ("builder1/1/dir1/file-103.jpeg", null),
        ("builder1/1/dir2/file-201.pdf", "6"),
        ("builder1/1/dir2/file-202.jpeg", null),
        ("builder1/1/dir2/file-203.png", null),
        ("builder1/1/dir3/file-301.mp3", "9"),
        ("builder1/1/dir3/file-302.mpeg", "10"),
        ("builder1/1/dir4/file-401.txt", "11"),
        ("builder1/1/dir4/file-402.txt", "file-401.txt"),
        ("builder1/1/dir4/file-403.txt", "file-404.txt"),
        ("builder2/2/dir1/file-101.png", "2"),
        ("builder2/2/dir1/file-102.txt", null),
        ("builder2/2/dir1/file-103.jpeg", "4"),
        ("builder2/2/dir2/file-201.pdf", null),
        ("builder2/2/dir2/file-202.jpeg", "7"),
        ("builder2/2/dir2/file-203.png", "8"),
        ("builder2/2/dir3/file-301.mp3", "9"),
        ("builder2/2/dir3/file-302.mpeg", "10"),
        ("builder2/2/dir4/file-401.txt", null),
        ("builder2/2/dir4/file-402.txt", null),
        ("builder2/2/dir4/file-403.txt", null),
        ("builder3/3/file-301.mp3", null),
        ("builder3/3/file-302.mpeg", "10"),
        ("builder4/4/file-101.png", null),
        ("builder4/4/file-102.txt", null),
        ("builder4/4/file-103.jpeg", null),
        ("builder4/4/file-201.pdf", null),
        ("builder4/4/file-202.jpeg", null),
        ("builder4/4/file-203.png", null),
        ("builder4/4/file-301.mp3", null),
        ("builder4/4/file-302.mpeg", "10"),
        ("builder4/4/dir4/file-401.txt", null),
        ("builder4/4/dir4/file-402.txt", null),
        ("builder4/4/dir4/file-403.txt", null),
        ("builder5/5/file-101.png", null),
        ("builder5/5/file-102.txt", "3"),
        ("builder5/5/file-103.jpeg", null),
        ("builder5/5/file-201.pdf", null),
        ("builder5/5/file-202.jpeg", null),
        ("builder5/5/file-203.png", null),
        ("builder5/5/file-301.mp3", null),
        ("builder5/5/file-302.mpeg", null),
        ("builder5/5/file-401.txt", "11"),
        ("builder5/5/file-402.txt", "file-401.txt"),
        ("builder5/5/file-403.txt", "file-404.txt"),
    ];

    [Fact]
    public async Task TestExcludedFilesOnCopy()
    {
        foreach (var dockerfile in new[] { FromContext, FromStage })
        {
            using var h = new BuildHarness();
            h.File("dir1/file-101.png", "2", "600");
            h.File("dir1/file-102.txt", "3", "600");
            h.File("dir1/file-103.jpeg", "4", "600");
            h.File("dir2/file-201.pdf", "6", "600");
            h.File("dir2/file-202.jpeg", "7", "600");
            h.File("dir2/file-203.png", "8", "600");
            h.File("dir3/file-301.mp3", "9", "600");
            h.File("dir3/file-302.mpeg", "10", "600");
            h.File("dir4/file-401.txt", "11", "600");
            h.Symlink("dir4/file-402.txt", "file-401.txt");
            h.Symlink("dir4/file-403.txt", "file-404.txt");

            var image = await h.BuildImageAsync(dockerfile);
            var files = (await LayerContents.ReadAllAsync(image)).GroupBy(r => r.Path).ToDictionary(g => g.Key, g => g.Last());
            foreach (var (file, content) in Expected)
            {
                if (content is null)
                {
                    Assert.False(files.ContainsKey(file), $"{file} should not exist");
                    continue;
                }
                Assert.True(files.TryGetValue(file, out var row), $"{file} should exist");
                Assert.Equal(content, row.Type == TarEntryType.SymbolicLink ? row.LinkName : row.Text);
            }
            // As all files are excluded, the directory must be empty.
            Assert.Contains("builder6/6", files.Keys);
            Assert.DoesNotContain(files.Keys, p => p.StartsWith("builder6/6/", StringComparison.Ordinal));
        }
    }
}
