using System.Security.Cryptography;
using System.Text;
using RouterAdmin.History.Storage;
using Xunit;

namespace RouterAdmin.Tests.History;

/// <summary>
/// A text cut against the one stored before it (only the stretch between what the two share at their start and end is
/// cut again) is cut exactly where cutting it afresh would cut it, and the chunks it takes over are byte for byte
/// those of the old text: the shortcut changes what it costs, never what is stored.
/// </summary>
public sealed class IncrementalChunkingSpecs
{
    private static string Lines(int count, int seed, int from = 0) =>
        string.Concat(Enumerable.Range(from, count).Select(i =>
            $"-A ROUTERADMIN-SNAT -s 10.0.{i / 200}.{10 + i % 200}/32 -d 198.51.100.{1 + (i * seed) % 50}/32 -m comment --comment \"routeradmin: client-{i:00000}\" -j SNAT --to-source 203.0.113.{2 + (i * 7 + seed) % 100}\n"));

    public static TheoryData<string> Edits => new(
    [
        "one line in the middle", "one line in the first chunk", "one line in the last chunk", "ten lines inserted at the start",
        "lines deleted at the end", "lines appended", "the same text", "an unrelated text", "emptied", "grown from a few bytes",
        "one byte shorter", "a repeated block doubled",
    ]);

    [Theory]
    [MemberData(nameof(Edits))]
    public void A_text_cut_against_the_one_before_it_is_cut_exactly_as_cutting_it_afresh(string edit)
    {
        var before = Lines(3_000, seed: 3);
        var after = edit switch
        {
            "one line in the middle" => before.Replace("client-01500\" -j SNAT --to-source 203.0.113.", "client-01500\" -j SNAT --to-source 192.0.2."),
            "one line in the first chunk" => before.Replace("client-00003\"", "client-00003-renamed\""),
            "one line in the last chunk" => before.Replace("client-02998\"", "client-02998-x\""),
            "ten lines inserted at the start" => Lines(10, seed: 9, from: 5_000) + before,
            "lines deleted at the end" => before[..(before.Length - 20_000)],
            "lines appended" => before + Lines(40, seed: 4, from: 7_000),
            "the same text" => before,
            "an unrelated text" => Lines(2_000, seed: 11, from: 9_000),
            "emptied" => "",
            "grown from a few bytes" => before,
            "one byte shorter" => before[..^1],
            _ => before[..100_000] + before[..100_000] + before[100_000..],
        };
        if (edit == "grown from a few bytes") before = "*nat\n";

        AssertCutAsAfresh(Encoding.UTF8.GetBytes(before), Encoding.UTF8.GetBytes(after));
    }

    [Fact]
    public void Random_edits_of_random_texts_are_cut_exactly_as_cutting_them_afresh()
    {
        var random = new Random(20261207);
        for (var round = 0; round < 300; round++)
        {
            var before = new byte[random.Next(0, 400_000)];
            // Text-like bytes from a small alphabet, so some stretches repeat as real tables do.
            for (var i = 0; i < before.Length; i++) before[i] = (byte)"abcdefgh 0123.\n"[random.Next(15)];
            var at = random.Next(0, before.Length + 1);
            var removed = random.Next(0, Math.Min(5_000, before.Length - at) + 1);
            var inserted = new byte[random.Next(0, 5_000)];
            random.NextBytes(inserted);
            byte[] after = [.. before.AsSpan(0, at), .. inserted, .. before.AsSpan(at + removed)];

            AssertCutAsAfresh(before, after);
        }
    }

    [Fact]
    public void A_one_line_change_on_a_megabyte_cuts_and_hashes_at_most_three_chunks_again()
    {
        var before = Encoding.UTF8.GetBytes(Lines(8_000, seed: 5));
        var after = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(before).Replace("client-04000\"", "client-04000-moved\""));

        var cut = ContentChunker.Split(after, before, ContentChunker.Split(before));

        Assert.True(before.Length > 1_000_000);
        Assert.InRange(cut.Count(c => c.Previous < 0), 1, 3);
    }

    [Fact]
    public void Chunks_taken_over_from_the_text_before_carry_the_keys_their_bytes_hash_to()
    {
        // Any column: the keys depend on the bytes alone, whatever another spec stored there meanwhile.
        var column = SnapshotStorage.ManifestColumns.Count - 1;
        foreach (var text in new[] { Lines(2_000, 1), Lines(2_000, 1).Replace("client-01000\"", "client-01000-b\""), Lines(1_500, 2), "" })
        {
            var cut = RecentCuts.Cut(column, text);

            Assert.Equal(Encoding.UTF8.GetBytes(text), cut.Bytes);
            Assert.Equal(ContentChunker.Split(cut.Bytes), cut.Chunks);
            Assert.Equal(cut.Chunks.Select(r => Convert.ToHexString(SHA256.HashData(cut.Bytes.AsSpan(r)))), cut.Keys);
        }
    }

    private static void AssertCutAsAfresh(byte[] before, byte[] after)
    {
        var previous = ContentChunker.Split(before);
        var incremental = ContentChunker.Split(after, before, previous);

        Assert.Equal(ContentChunker.Split(after), incremental.Select(c => c.Chunk));
        foreach (var (chunk, index) in incremental.Where(c => c.Previous >= 0))
            Assert.True(after.AsSpan(chunk).SequenceEqual(before.AsSpan(previous[index])), $"chunk {chunk} is not the old chunk {index} it claims to be");
    }
}
