from django.apps import AppConfig


class AvrecordsConfig(AppConfig):
    # The audio-visual half of the records chapter (第十一、十二、二十六、二十七条): recorders,
    # collection stations, resumable ingestion into dedicated storage. Kept apart from the
    # written records of `records/` because its concerns (tus API, storage, ffmpeg) differ.
    name = "avrecords"
    verbose_name = "音像记录"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from accounts.models import Role
        from accounts.roles import register

        from . import signals

        # records/ says an activity was recorded on audio/video: expect the recording (第二十七条).
        # No sender: records/ may save the record as a subclass of records.Record.
        post_save.connect(signals.on_record_saved, dispatch_uid="avrecords.expect_from_records")

        register(
            Role.ADMIN,
            "avrecords.add_recorder",
            "avrecords.change_recorder",
            "avrecords.view_recorder",
            "avrecords.add_collectionstation",
            "avrecords.change_collectionstation",
            "avrecords.view_collectionstation",
            "avrecords.view_avrecord",
            "avrecords.view_upload",
            "avrecords.view_expectedrecord",
            "avrecords.view_fixitycheck",
        )

        # Chinese names of our audit actions on the case timeline.
        from cases.timeline import register_action_labels

        register_action_labels(
            {
                "av.station_created": "登记采集站",
                "av.station_token_rotated": "更换采集站密钥",
                "av.upload_started": "开始上传音像文件",
                "av.upload_rewound": "上传断点回退",
                "av.upload_terminated": "终止上传",
                "av.upload_assembled": "拼接分段上传的音像文件",
                "av.received": "收到音像记录",
                "av.hashed": "计算音像文件校验值",
                "av.stored": "音像原件存入专门存储",
                "av.probed": "识别音像文件格式",
                "av.flagged": "音像文件存在问题",
                "av.processed": "音像文件处理完成",
                "av.assigned": "音像记录归入案件",
                "av.owner_set": "变更音像记录制作人",
                "av.described": "填写音像记录说明",
                "av.late_explained": "说明逾期存储原因",
                "av.finalised": "音像记录定稿",
                "av.integrity_checked": "核验音像原件完整性",
                "av.expected": "应有同步音像记录",
                "av.expected_withdrawn": "撤销应有音像记录",
                "av.expected_fulfilled": "应有音像记录已提交",
                "av.viewed": "查看音像记录",
                "av.played": "播放音像记录",
                "av.downloaded": "下载音像原件",
                "av.custody_report": "导出音像记录保管链",
            }
        )
