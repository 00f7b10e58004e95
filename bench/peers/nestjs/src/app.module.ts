import { Controller, Get, Module } from '@nestjs/common';
import { SessionController } from './session.controller';
import { SessionService } from './session.service';
import { TokenController } from './token.controller';

@Controller('healthz')
class HealthController {
  @Get()
  health() {
    return { status: 'ok' };
  }
}

@Module({
  controllers: [SessionController, TokenController, HealthController],
  providers: [SessionService],
})
export class AppModule {}
