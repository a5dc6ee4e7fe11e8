from django.apps import AppConfig


class NumberingConfig(AppConfig):
    # Gap-free number series (案号 / 登记号 / 立案号, 文号): a neutral module that `cases` and
    # `documents` both call downwards, so neither imports the other for numbers.
    name = "numbering"
    verbose_name = "编号"
