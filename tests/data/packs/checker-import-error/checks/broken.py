from tutor.sdk import check

raise RuntimeError('boom')
