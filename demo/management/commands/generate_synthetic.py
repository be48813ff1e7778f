import time

from django.core.management.base import BaseCommand, CommandError

from demo import synthetic


class Command(BaseCommand):
    help = (
        "load_toyama で読み込んだ富山県の実データを元に、合成データを追加して全体を N 倍にします"
        "（ベンチマーク用。同じ seed なら同じデータ）。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--factor", type=int, default=10, help="全体を実データの何倍にするか（既定 10。1 なら何もしない）。"
        )
        parser.add_argument("--seed", type=int, default=1, help="乱数の種（既定 1）。")
        parser.add_argument(
            "--digest", action="store_true", help="生成後、データ全体の SHA-256 を表示します（同一性の確認用）。"
        )

    def handle(self, *args, factor, seed, digest, **options):
        start = time.perf_counter()

        def progress(cohort):
            if options["verbosity"] >= 2:
                self.stdout.write(f"  第{cohort.number}群（{cohort.shift:+d}年）")

        try:
            report = synthetic.generate(factor, seed, progress=progress)
        except synthetic.SyntheticDataError as error:
            raise CommandError(str(error)) from error
        for label, count in report.counts.items():
            self.stdout.write(f"  {label}: {count}")
        seconds = time.perf_counter() - start
        self.stdout.write(self.style.SUCCESS(f"合成データを生成しました（{factor}倍、seed {seed}、{seconds:.1f}秒）。"))
        if digest:
            self.stdout.write(f"sha256 {synthetic.digest()}")
